package dev.replication.sample;

import dev.replication.api.LeadershipGrantedEvent;
import dev.replication.api.LeadershipRevokedEvent;
import dev.replication.api.Replicated;
import dev.replication.api.ReplicatedMap;
import dev.replication.api.ReplicationException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * A leader-only scheduled job: while this node leads, it writes a heartbeat record stamped with
 * the generation it leads, so anyone can read who leads and since when ({@code GET /leader}).
 *
 * <p>Every node schedules the job; only the node holding a {@link LeadershipGrantedEvent} whose
 * generation has not been revoked acts. The generation is the fencing token: the write is an
 * atomic compare-and-set that never replaces the record of a higher generation, so a deposed
 * leader that still believes it leads for a moment cannot overwrite its successor.
 */
@Component
public class LeaderHeartbeat {

    /** The single key of the heartbeat map. */
    static final String KEY = "leader";

    private static final long NOT_LEADING = 0;
    private static final Logger log = LoggerFactory.getLogger(LeaderHeartbeat.class);

    private final ReplicatedMap<String, Beat> heartbeats;
    private final AtomicLong ledGeneration = new AtomicLong(NOT_LEADING);
    /** Set before {@link #ledGeneration} on every grant, so present whenever this node leads. */
    private volatile @Nullable String nodeId;

    /**
     * The heartbeat record.
     *
     * @param nodeId the leader that wrote it
     * @param generation the generation it leads
     * @param beats how many heartbeats it has written in that generation
     */
    public record Beat(String nodeId, long generation, long beats) {}

    public LeaderHeartbeat(@Replicated("leader-heartbeat") ReplicatedMap<String, Beat> heartbeats) {
        this.heartbeats = heartbeats;
    }

    @EventListener
    public void leadershipGranted(LeadershipGrantedEvent event) {
        nodeId = event.nodeId();
        ledGeneration.set(event.generation());
        log.info("Leading generation {}: starting the leader heartbeat", event.generation());
    }

    /** Only a revocation of the generation we lead stops us; a late event of an older one does not. */
    @EventListener
    public void leadershipRevoked(LeadershipRevokedEvent event) {
        if (ledGeneration.compareAndSet(event.generation(), NOT_LEADING)) {
            log.info("No longer leading generation {}: leader heartbeat stopped", event.generation());
        }
    }

    /** The generation this node leads, or 0 when it does not lead. */
    public long ledGeneration() {
        return ledGeneration.get();
    }

    @Scheduled(
            fixedDelayString = "${sample.heartbeat.interval:5s}",
            initialDelayString = "${sample.heartbeat.interval:5s}")
    public void beat() {
        long generation = ledGeneration.get();
        if (generation == NOT_LEADING) {
            return;
        }
        String leader = nodeId;
        if (leader == null) {
            return;
        }
        try {
            heartbeats.compute(KEY, (key, current) -> {
                if (current != null && current.generation() > generation) {
                    return current;
                }
                long beats = current != null && current.generation() == generation ? current.beats() + 1 : 1;
                return new Beat(leader, generation, beats);
            });
        } catch (ReplicationException e) {
            // Leadership may be moving; the next run (or the next leader) writes again.
            log.warn("Leader heartbeat of generation {} not written: {}", generation, e.getMessage());
        }
    }
}
