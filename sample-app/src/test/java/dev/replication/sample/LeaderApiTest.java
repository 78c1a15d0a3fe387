package dev.replication.sample;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.replication.api.LeadershipGrantedEvent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Import;
import org.springframework.test.web.servlet.MockMvc;

@SpringBootTest(properties = "replication.enabled=false")
@AutoConfigureMockMvc
@Import(InMemoryReplicatedMaps.class)
class LeaderApiTest {

    @Autowired
    MockMvc mvc;

    @Autowired
    InMemoryReplicatedMap<LeaderHeartbeat.Beat> heartbeats;

    @Autowired
    ApplicationEventPublisher events;

    @Autowired
    LeaderHeartbeat job;

    @BeforeEach
    void noHeartbeatYet() {
        heartbeats.reset();
    }

    @Test
    void beforeAnyHeartbeatTheLeaderIsA404SayingWhatToWaitFor() throws Exception {
        mvc.perform(get("/leader"))
                .andExpect(status().isNotFound())
                .andExpect(jsonPath("$.type").value("urn:problem-type:replication:no-heartbeat-yet"));
    }

    @Test
    void showsTheLeaderAndGenerationOfTheLastHeartbeat() throws Exception {
        events.publishEvent(new LeadershipGrantedEvent("n3", 4));
        job.beat();

        mvc.perform(get("/leader"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.leaderId").value("n3"))
                .andExpect(jsonPath("$.generation").value(4))
                .andExpect(jsonPath("$.beats").value(1));
    }
}
