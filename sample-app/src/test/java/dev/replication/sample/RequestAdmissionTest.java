package dev.replication.sample;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RequestAdmissionTest {

    private final RequestAdmission admission = new RequestAdmission(new KeyValueLimits(1024, 65536, 128, 2));
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        admission.destroy();
    }

    @Test
    void aRequestBeyondTheLimitIsRefusedAtOnceWhileTheAdmittedOnesWait() {
        admission.submit(this::blockUntilReleased);
        admission.submit(this::blockUntilReleased);

        assertThatThrownBy(() -> admission.submit(() -> "third"))
                .isInstanceOf(RequestAdmission.OverloadedException.class)
                .hasMessageContaining("already serving 2 requests")
                .hasMessageContaining("nothing was changed");
    }

    @Test
    void aFinishedRequestMakesRoomForTheNextOne() throws Exception {
        CompletableFuture<String> first = admission.submit(this::blockUntilReleased);
        admission.submit(() -> "done").get(10, TimeUnit.SECONDS);
        release.countDown();
        first.get(10, TimeUnit.SECONDS);

        assertThat(admission.submit(() -> "next").get(10, TimeUnit.SECONDS)).isEqualTo("next");
        assertThat(admission.submit(() -> "and another").get(10, TimeUnit.SECONDS))
                .isEqualTo("and another");
    }

    private String blockUntilReleased() {
        try {
            release.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
        }
        return "released";
    }
}
