package dev.replication.sample;

import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.replication.api.NotAppliedException;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockAsyncContext;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import tools.jackson.databind.JsonNode;

/**
 * A {@code @WebMvcTest} of a controller that uses a replicated map gets the starter's problem
 * details too, as a user's own slice tests would.
 */
@WebMvcTest(KeyValueController.class)
@Import({InMemoryReplicatedMaps.class, RequestAdmission.class})
@EnableConfigurationProperties(KeyValueLimits.class)
class KeyValueWebSliceTest {

    @Autowired
    MockMvc mvc;

    @Autowired
    InMemoryReplicatedMap<JsonNode> entries;

    @Test
    void aWriteThatDidNotEnterTheLogIsA503InAWebMvcTestSlice() throws Exception {
        entries.failNextWrite(new NotAppliedException("No leader is known; retry shortly.", null));

        // The controller answers asynchronously: the problem details come with the async dispatch.
        MvcResult started = mvc.perform(
                        put("/kv/k").contentType(MediaType.APPLICATION_JSON).content("1"))
                .andReturn();
        mvc.perform(asyncDispatch(started))
                .andExpect(status().isServiceUnavailable())
                .andExpect(header().string("Retry-After", "1"))
                .andExpect(jsonPath("$.type").value("urn:problem-type:replication:not-applied"));
    }

    @Test
    void aWriteStillInProgressWhenTheServerGivesUpWaitingIsA504OutcomeUnknownNeverA503NotApplied() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        entries.holdNextWrite(release);
        try {
            MvcResult started = mvc.perform(
                            put("/kv/k").contentType(MediaType.APPLICATION_JSON).content("1"))
                    .andReturn();
            // What Tomcat does to every request still waiting for its async answer when its
            // connector stops (a node shutting down), and at its async request timeout.
            MockAsyncContext async = (MockAsyncContext) started.getRequest().getAsyncContext();
            for (AsyncListener listener : async.getListeners()) {
                listener.onTimeout(new AsyncEvent(async));
            }
            mvc.perform(asyncDispatch(started))
                    .andExpect(status().isGatewayTimeout())
                    .andExpect(jsonPath("$.type").value("urn:problem-type:replication:outcome-unknown"));
        } finally {
            release.countDown();
        }
    }
}
