package dev.replication.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.header;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.jsonPath;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import dev.replication.api.EntryTooLargeException;
import dev.replication.api.IdempotencyKeyConflictException;
import dev.replication.api.NotAppliedException;
import dev.replication.api.OutcomeUnknownException;
import dev.replication.api.ReplicationException;
import dev.replication.api.ReplicationUnavailableException;
import dev.replication.api.UpdateContentionException;
import dev.replication.api.VersionConflictException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.http.converter.autoconfigure.HttpMessageConvertersAutoConfiguration;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.ResultActions;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.WebApplicationContext;
import org.springframework.web.context.request.async.AsyncRequestTimeoutException;

/**
 * The starter's exceptions thrown in an application's own controllers become the problem details
 * the README documents, unless the application handles them itself.
 */
class ReplicationProblemDetailsTest {

    private static final String TYPE = "urn:problem-type:replication:";

    private final WebApplicationContextRunner web = new WebApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(
                    JacksonAutoConfiguration.class,
                    HttpMessageConvertersAutoConfiguration.class,
                    WebMvcAutoConfiguration.class,
                    ReplicationProblemDetailsAutoConfiguration.class));

    /** An application's controller: throws whatever the test hands it. */
    @RestController
    static class Orders {
        volatile Supplier<RuntimeException> failure = () -> new IllegalStateException("no failure chosen");

        @PostMapping("/orders")
        String place() {
            throw failure.get();
        }

        @GetMapping("/orders")
        String list() {
            throw failure.get();
        }
    }

    /** A controller that answers a version conflict its own way. */
    @RestController
    static class OwnHandlerOrders {
        @PostMapping("/own")
        String place() {
            throw new VersionConflictException("moved", 1, 2);
        }

        @ExceptionHandler(VersionConflictException.class)
        ResponseEntity<String> conflict(VersionConflictException e) {
            return ResponseEntity.status(HttpStatus.PRECONDITION_FAILED).body("mine");
        }
    }

    /** An application's own advice for outcome-unknown. */
    @RestControllerAdvice
    static class OwnAdvice {
        @ExceptionHandler(OutcomeUnknownException.class)
        ResponseEntity<String> unknown(OutcomeUnknownException e) {
            return ResponseEntity.status(HttpStatus.ACCEPTED).body("ours");
        }
    }

    private void perform(Supplier<RuntimeException> failure, boolean read, ResultCheck check) {
        web.withBean(Orders.class).run(context -> {
            context.getBean(Orders.class).failure = failure;
            MockMvc mvc = MockMvcBuilders.webAppContextSetup((WebApplicationContext) context)
                    .build();
            check.accept(mvc.perform(read ? get("/orders") : post("/orders")));
        });
    }

    interface ResultCheck {
        void accept(ResultActions result) throws Exception;
    }

    @Test
    void aWriteThatCertainlyDidNotEnterTheLogIsA503NotAppliedWithRetryAfterAndTheLeader() {
        perform(
                () -> new NotAppliedException("No quorum; nothing was written.", "n2"),
                false,
                result -> result.andExpect(status().isServiceUnavailable())
                        .andExpect(header().string("Retry-After", "1"))
                        .andExpect(content().contentTypeCompatibleWith(MediaType.APPLICATION_PROBLEM_JSON))
                        .andExpect(jsonPath("$.type").value(TYPE + "not-applied"))
                        .andExpect(jsonPath("$.detail").value("No quorum; nothing was written."))
                        .andExpect(jsonPath("$.leaderId").value("n2")));
    }

    @Test
    void aReadThatCouldNotBeServedIsA503UnavailableWhicheverExceptionTheMapChose() {
        perform(
                () -> new NotAppliedException("No read index within 5s.", null),
                true,
                result -> result.andExpect(status().isServiceUnavailable())
                        .andExpect(header().string("Retry-After", "1"))
                        .andExpect(jsonPath("$.type").value(TYPE + "unavailable"))
                        .andExpect(jsonPath("$.leaderId").doesNotExist()));
    }

    @Test
    void anUnavailableClusterIsA503UnavailableWithRetryAfter() {
        perform(
                () -> new ReplicationUnavailableException("No leader known.", null),
                false,
                result -> result.andExpect(status().isServiceUnavailable())
                        .andExpect(header().string("Retry-After", "1"))
                        .andExpect(jsonPath("$.type").value(TYPE + "unavailable")));
    }

    @Test
    void aWriteThatMayHaveCommittedIsA504OutcomeUnknownSayingHowToRetry() {
        perform(
                () -> new OutcomeUnknownException("No answer from the leader within 5s."),
                false,
                result -> result.andExpect(status().isGatewayTimeout())
                        .andExpect(jsonPath("$.type").value(TYPE + "outcome-unknown"))
                        .andExpect(jsonPath("$.detail")
                                .value(org.hamcrest.Matchers.allOf(
                                        org.hamcrest.Matchers.startsWith("No answer from the leader within 5s."),
                                        org.hamcrest.Matchers.containsString("same idempotency key")))));
    }

    @Test
    void aWriteTheServerStoppedWaitingForIsA504OutcomeUnknownNotSpringsDefault503() {
        perform(
                AsyncRequestTimeoutException::new,
                false,
                result -> result.andExpect(status().isGatewayTimeout())
                        .andExpect(jsonPath("$.type").value(TYPE + "outcome-unknown"))
                        .andExpect(jsonPath("$.detail")
                                .value(org.hamcrest.Matchers.containsString("same idempotency key"))));
    }

    @Test
    void aReadTheServerStoppedWaitingForIsA503UnavailableWithRetryAfter() {
        perform(
                AsyncRequestTimeoutException::new,
                true,
                result -> result.andExpect(status().isServiceUnavailable())
                        .andExpect(header().string("Retry-After", "1"))
                        .andExpect(jsonPath("$.type").value(TYPE + "unavailable")));
    }

    @Test
    void aVersionConflictIsA409WithBothVersions() {
        perform(
                () -> new VersionConflictException("Version moved.", 3, 5),
                false,
                result -> result.andExpect(status().isConflict())
                        .andExpect(jsonPath("$.type").value(TYPE + "version-conflict"))
                        .andExpect(jsonPath("$.expectedVersion").value(3))
                        .andExpect(jsonPath("$.currentVersion").value(5)));
    }

    @Test
    void contentionThatExhaustedItsAttemptsIsA409UpdateContention() {
        perform(
                () -> new UpdateContentionException("Gave up after 64 attempts.", 64),
                false,
                result -> result.andExpect(status().isConflict())
                        .andExpect(jsonPath("$.type").value(TYPE + "update-contention"))
                        .andExpect(jsonPath("$.attempts").value(64)));
    }

    @Test
    void anEntryOverTheLimitIsA413WithSizeAndLimit() {
        perform(
                () -> new EntryTooLargeException("Too large.", 2_000_000, 1_048_576),
                false,
                result -> result.andExpect(status().isContentTooLarge())
                        .andExpect(jsonPath("$.type").value(TYPE + "entry-too-large"))
                        .andExpect(jsonPath("$.size").value(2_000_000))
                        .andExpect(jsonPath("$.limit").value(1_048_576)));
    }

    @Test
    void anIdempotencyKeyReusedForAnotherRequestIsA422NamingTheKey() {
        perform(
                () -> new IdempotencyKeyConflictException("Used for another request.", "req-1"),
                false,
                result -> result.andExpect(status().isUnprocessableContent())
                        .andExpect(jsonPath("$.type").value(TYPE + "idempotency-key-reused"))
                        .andExpect(jsonPath("$.idempotencyKey").value("req-1")));
    }

    @Test
    void anyOtherReplicationFailureIsA500ProblemDetail() {
        perform(
                () -> new ReplicationException("The node has stopped."),
                false,
                result -> result.andExpect(status().isInternalServerError())
                        .andExpect(jsonPath("$.type").value(TYPE + "replication-failure")));
    }

    @Test
    void exceptionsThatAreNotTheStartersAreLeftToTheApplication() {
        web.withBean(Orders.class).run(context -> {
            MockMvc mvc = MockMvcBuilders.webAppContextSetup((WebApplicationContext) context)
                    .build();

            // Not handled by the starter: reaches the servlet container as it is.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> mvc.perform(post("/orders")))
                    .hasRootCauseInstanceOf(IllegalStateException.class);
            // Spring MVC's own errors keep Spring MVC's answer.
            mvc.perform(org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete("/orders"))
                    .andExpect(status().isMethodNotAllowed());
        });
    }

    @Test
    void aControllersOwnExceptionHandlerWins() {
        web.withBean(OwnHandlerOrders.class)
                .run(context -> MockMvcBuilders.webAppContextSetup((WebApplicationContext) context)
                        .build()
                        .perform(post("/own"))
                        .andExpect(status().isPreconditionFailed())
                        .andExpect(content().string("mine")));
    }

    @Test
    void anApplicationsOwnAdviceWinsForWhatItHandlesAndTheStarterAnswersTheRest() {
        web.withBean(Orders.class).withBean(OwnAdvice.class).run(context -> {
            Orders orders = context.getBean(Orders.class);
            MockMvc mvc = MockMvcBuilders.webAppContextSetup((WebApplicationContext) context)
                    .build();

            orders.failure = () -> new OutcomeUnknownException("No answer.");
            mvc.perform(post("/orders"))
                    .andExpect(status().isAccepted())
                    .andExpect(content().string("ours"));

            orders.failure = () -> new VersionConflictException("Version moved.", 3, 5);
            mvc.perform(post("/orders")).andExpect(status().isConflict());
        });
    }

    @Test
    void anApplicationWithoutAServletWebServerGetsNoAdvice() {
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ReplicationProblemDetailsAutoConfiguration.class))
                .run(context -> assertThat(context).hasNotFailed().doesNotHaveBean(ReplicationProblemDetails.class));
    }

    @Test
    void anApplicationsOwnBeanOfTheStartersTypeReplacesIt() {
        ReplicationProblemDetails mine = new ReplicationProblemDetails();
        web.withBean("myProblemDetails", ReplicationProblemDetails.class, () -> mine)
                .run(context -> assertThat(context)
                        .hasSingleBean(ReplicationProblemDetails.class)
                        .getBean(ReplicationProblemDetails.class)
                        .isSameAs(mine));
    }
}
