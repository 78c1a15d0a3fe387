package dev.replication.sample;

import dev.replication.api.ReadConsistency;
import dev.replication.api.Replicated;
import dev.replication.api.ReplicatedMap;
import dev.replication.api.Versioned;
import java.net.URI;
import java.time.Instant;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Shows the leader heartbeat record: which node leads, in which generation, and when it last wrote. */
@RestController
public class LeaderController {

    private final ReplicatedMap<String, LeaderHeartbeat.Beat> heartbeats;

    public LeaderController(@Replicated("leader-heartbeat") ReplicatedMap<String, LeaderHeartbeat.Beat> heartbeats) {
        this.heartbeats = heartbeats;
    }

    /** The last heartbeat as the API shows it. */
    public record LeaderView(String leaderId, long generation, long beats, long version, Instant writtenAt) {}

    @GetMapping("/leader")
    public LeaderView leader() {
        Versioned<LeaderHeartbeat.Beat> beat =
                heartbeats.read(ReadConsistency.LINEARIZABLE).getVersioned(LeaderHeartbeat.KEY);
        if (beat == null) {
            ProblemDetail problem = ProblemDetail.forStatusAndDetail(
                    HttpStatus.NOT_FOUND,
                    "No leader has written a heartbeat yet. Wait for a leader to be elected"
                            + " (see /actuator/replication) and one heartbeat interval (sample.heartbeat.interval).");
            problem.setType(URI.create(KeyValueProblems.TYPE_PREFIX + "no-heartbeat-yet"));
            problem.setTitle("No heartbeat yet");
            throw new ErrorResponseException(HttpStatus.NOT_FOUND, problem, null);
        }
        LeaderHeartbeat.Beat value = beat.value();
        return new LeaderView(value.nodeId(), value.generation(), value.beats(), beat.version(), beat.writtenAt());
    }
}
