package dev.replication.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsString;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.asyncDispatch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.replication.api.EntryTooLargeException;
import dev.replication.api.NotAppliedException;
import dev.replication.api.OutcomeUnknownException;
import dev.replication.api.ReadConsistency;
import dev.replication.api.ReplicationUnavailableException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.RequestBuilder;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import tools.jackson.databind.JsonNode;

/** The HTTP contract, over an in-memory map that can also fail the way a cluster does. */
@SpringBootTest(properties = "replication.enabled=false")
@AutoConfigureMockMvc
@Import(InMemoryReplicatedMaps.class)
class KeyValueApiTest {

    private static final String PROBLEM = "urn:problem-type:replication:";

    @Autowired
    MockMvc mvc;

    @Autowired
    InMemoryReplicatedMap<JsonNode> entries;

    /** Performs the request and, when the controller answered asynchronously, its async dispatch. */
    private ResultActions perform(RequestBuilder request) throws Exception {
        ResultActions started = mvc.perform(request);
        MvcResult result = started.andReturn();
        return result.getRequest().isAsyncStarted() ? mvc.perform(asyncDispatch(result)) : started;
    }

    @BeforeEach
    void emptyMap() {
        entries.reset();
    }

    @Test
    void putStoresTheValueAndAnswersWithItsVersion() throws Exception {
        perform(putJson("/kv/colour", "\"blue\""))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.key").value("colour"))
                .andExpect(jsonPath("$.value").value("blue"))
                .andExpect(jsonPath("$.version").value(1))
                .andExpect(jsonPath("$.writtenAt").isString());
    }

    @Test
    void getReturnsTheStoredJsonValueWithItsVersion() throws Exception {
        perform(putJson("/kv/user", "{\"name\":\"Ada\",\"age\":36}")).andExpect(status().isOk());

        perform(get("/kv/user"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.value.name").value("Ada"))
                .andExpect(jsonPath("$.value.age").value(36))
                .andExpect(jsonPath("$.version").value(1));
    }

    @Test
    void keysMayContainSlashes() throws Exception {
        perform(putJson("/kv/users/42/name", "\"Ada\"")).andExpect(status().isOk());

        perform(get("/kv/users/42/name"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.key").value("users/42/name"));
        assertThat(entries.get("users/42/name").asString()).isEqualTo("Ada");
    }

    @Test
    void aValueSentWithoutAJsonContentTypeIsStillReadAsJson() throws Exception {
        // curl -X PUT -d '"v"' sends application/x-www-form-urlencoded
        perform(put("/kv/plain")
                        .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                        .content("\"v\""))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.value").value("v"));
    }

    @Test
    void getOfAnAbsentKeyIsA404ProblemDetail() throws Exception {
        perform(get("/kv/missing"))
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                .andExpect(jsonPath("$.type").value(PROBLEM + "no-such-key"))
                .andExpect(jsonPath("$.status").value(404))
                .andExpect(jsonPath("$.detail").value(containsString("missing")));
    }

    @Test
    void readsAreLinearizableByDefault() throws Exception {
        perform(putJson("/kv/k", "1")).andExpect(status().isOk());

        perform(get("/kv/k")).andExpect(status().isOk());

        assertThat(entries.lastReadConsistency()).isEqualTo(ReadConsistency.LINEARIZABLE);
    }

    @Test
    void staleConsistencyServesTheLocalState() throws Exception {
        perform(putJson("/kv/k", "1")).andExpect(status().isOk());

        perform(get("/kv/k").param("consistency", "stale")).andExpect(status().isOk());

        assertThat(entries.lastReadConsistency()).isEqualTo(ReadConsistency.STALE);
    }

    @Test
    void anUnknownConsistencyIsA400NamingTheAllowedOnes() throws Exception {
        perform(get("/kv/k").param("consistency", "eventual"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("'linearizable'")));
    }

    @Test
    void ifVersionZeroCreatesAnAbsentKey() throws Exception {
        perform(putJson("/kv/once", "1").param("ifVersion", "0"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.version").value(1));
    }

    @Test
    void ifVersionZeroOnAPresentKeyIsA409() throws Exception {
        perform(putJson("/kv/once", "1")).andExpect(status().isOk());

        perform(putJson("/kv/once", "2").param("ifVersion", "0"))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.type").value(PROBLEM + "version-conflict"))
                .andExpect(jsonPath("$.expectedVersion").value(0))
                .andExpect(jsonPath("$.currentVersion").value(1));
        assertThat(entries.get("once").asInt()).isEqualTo(1);
    }

    @Test
    void ifVersionWithTheCurrentVersionReplacesTheValue() throws Exception {
        perform(putJson("/kv/cas", "\"a\"")).andExpect(status().isOk());

        perform(putJson("/kv/cas", "\"b\"").param("ifVersion", "1"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.value").value("b"))
                .andExpect(jsonPath("$.version").value(2));
    }

    @Test
    void ifVersionWithAnOutdatedVersionIsA409WithTheCurrentVersion() throws Exception {
        perform(putJson("/kv/cas", "\"a\"")).andExpect(status().isOk());
        perform(putJson("/kv/cas", "\"b\"")).andExpect(status().isOk());

        perform(putJson("/kv/cas", "\"c\"").param("ifVersion", "1"))
                .andExpect(status().isConflict())
                .andExpect(jsonPath("$.currentVersion").value(2));
        assertThat(entries.get("cas").asString()).isEqualTo("b");
    }

    @Test
    void aMalformedIfVersionIsA400() throws Exception {
        perform(putJson("/kv/cas", "1").param("ifVersion", "latest"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("ifVersion='latest'")));
    }

    @Test
    void deleteRemovesTheKeyAndAnswersWithTheRemovedValue() throws Exception {
        perform(putJson("/kv/gone", "\"soon\"")).andExpect(status().isOk());

        perform(delete("/kv/gone"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.value").value("soon"));
        perform(get("/kv/gone")).andExpect(status().isNotFound());
    }

    @Test
    void deleteOfAnAbsentKeyIsA404() throws Exception {
        perform(delete("/kv/never")).andExpect(status().isNotFound());
    }

    @Test
    void deleteWithAnOutdatedIfVersionIsA409AndKeepsTheKey() throws Exception {
        perform(putJson("/kv/kept", "1")).andExpect(status().isOk());
        perform(putJson("/kv/kept", "2")).andExpect(status().isOk());

        perform(delete("/kv/kept").param("ifVersion", "1")).andExpect(status().isConflict());
        assertThat(entries.containsKey("kept")).isTrue();
    }

    @Test
    void listingByPrefixReturnsOnlyThoseEntriesOrderedByKey() throws Exception {
        perform(putJson("/kv/users/2", "\"b\"")).andExpect(status().isOk());
        perform(putJson("/kv/users/1", "\"a\"")).andExpect(status().isOk());
        perform(putJson("/kv/orders/1", "\"x\"")).andExpect(status().isOk());

        perform(get("/kv").param("prefix", "users/"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.count").value(2))
                .andExpect(jsonPath("$.entries[*].key", contains("users/1", "users/2")));
    }

    @Test
    void aWriteRetriedWithTheSameIdempotencyKeyIsAppliedOnce() throws Exception {
        perform(putJson("/kv/pay", "100").header("Idempotency-Key", "req-1"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.version").value(1));

        perform(putJson("/kv/pay", "100").header("Idempotency-Key", "req-1"))
                .andExpect(status().isOk())
                .andExpect(jsonPath("$.version").value(1));
        assertThat(entries.getVersioned("pay").version()).isEqualTo(1);
    }

    @Test
    void theSameIdempotencyKeyWithADifferentBodyIsA422() throws Exception {
        perform(putJson("/kv/pay", "100").header("Idempotency-Key", "req-1")).andExpect(status().isOk());

        perform(putJson("/kv/pay", "200").header("Idempotency-Key", "req-1"))
                .andExpect(status().isUnprocessableContent())
                .andExpect(jsonPath("$.type").value(PROBLEM + "idempotency-key-reused"))
                .andExpect(jsonPath("$.idempotencyKey").value("req-1"));
        assertThat(entries.get("pay").asInt()).isEqualTo(100);
    }

    @Test
    void malformedJsonIsA400ThatShowsHowToQuoteStrings() throws Exception {
        perform(putJson("/kv/k", "hello"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.title").value("Malformed JSON"))
                .andExpect(jsonPath("$.detail").value(containsString("quote strings")));
    }

    @Test
    void anEmptyBodyIsA400() throws Exception {
        perform(putJson("/kv/k", "")).andExpect(status().isBadRequest());
    }

    @Test
    void aJsonNullValueIsA400PointingToDelete() throws Exception {
        perform(putJson("/kv/k", "null"))
                .andExpect(status().isBadRequest())
                .andExpect(jsonPath("$.detail").value(containsString("DELETE")));
    }

    @Test
    void aValueOverTheLimitIsA413() throws Exception {
        String tooLarge = "\"" + "x".repeat(65536) + "\"";

        perform(putJson("/kv/big", tooLarge))
                .andExpect(status().isContentTooLarge())
                .andExpect(jsonPath("$.detail").value(containsString("sample.kv.max-value-bytes")));
        assertThat(entries.containsKey("big")).isFalse();
    }

    @Test
    void aKeyOverTheLimitIsA413() throws Exception {
        perform(putJson("/kv/" + "k".repeat(1025), "1"))
                .andExpect(status().isContentTooLarge())
                .andExpect(jsonPath("$.detail").value(containsString("sample.kv.max-key-bytes")));
    }

    @Test
    void anEntryOverTheStartersOwnLimitIsA413() throws Exception {
        entries.failNextWrite(new EntryTooLargeException(
                "Value of 2000000 bytes exceeds replication.map.max-value-size" + " (1048576); store it elsewhere.",
                2_000_000,
                1_048_576));

        perform(putJson("/kv/k", "1"))
                .andExpect(status().isContentTooLarge())
                .andExpect(jsonPath("$.type").value(PROBLEM + "entry-too-large"))
                .andExpect(jsonPath("$.limit").value(1_048_576));
    }

    @Test
    void aWriteThatCertainlyDidNotEnterTheLogIsA503WithRetryAfter() throws Exception {
        entries.failNextWrite(new NotAppliedException("No leader is known; retry shortly.", null));

        perform(putJson("/kv/k", "1"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(header().string("Retry-After", "1"))
                .andExpect(jsonPath("$.type").value(PROBLEM + "not-applied"));
    }

    @Test
    void aWriteThatMayHaveCommittedIsA504OutcomeUnknown() throws Exception {
        entries.failNextWrite(new OutcomeUnknownException("No answer from the leader within 5s."));

        perform(putJson("/kv/k", "1"))
                .andExpect(status().isGatewayTimeout())
                .andExpect(jsonPath("$.type").value(PROBLEM + "outcome-unknown"))
                .andExpect(jsonPath("$.detail").value(containsString("Idempotency-Key")));
    }

    @Test
    void aReadThatCannotBeServedIsA503WithRetryAfter() throws Exception {
        entries.failNextRead(new ReplicationUnavailableException("No quorum for a read index.", "n1"));

        perform(get("/kv/k"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(header().string("Retry-After", "1"))
                .andExpect(jsonPath("$.leaderId").value("n1"));
    }

    @Test
    void aReadWithoutQuorumIsUnavailableEvenWhenTheMapSaysNotApplied() throws Exception {
        entries.failNextRead(new NotAppliedException("No read index within 5s.", null));

        perform(get("/kv/k"))
                .andExpect(status().isServiceUnavailable())
                .andExpect(jsonPath("$.type").value(PROBLEM + "unavailable"));
    }

    @Test
    void anUnknownPathIsAProblemDetailToo() throws Exception {
        perform(get("/nothing-here"))
                .andExpect(status().isNotFound())
                .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON));
    }

    private static MockHttpServletRequestBuilder putJson(String path, String json) {
        return put(path).contentType(MediaType.APPLICATION_JSON).content(json);
    }
}
