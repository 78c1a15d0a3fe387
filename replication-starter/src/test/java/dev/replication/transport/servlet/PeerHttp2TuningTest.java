package dev.replication.transport.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.apache.catalina.connector.Connector;
import org.apache.coyote.http2.Http2Protocol;
import org.junit.jupiter.api.Test;

class PeerHttp2TuningTest {

    @Test
    void raisesTheHttp2LimitsThatStallAPipelinedConnection() {
        Connector connector = new Connector();
        Http2Protocol http2 = new Http2Protocol();
        connector.addUpgradeProtocol(http2);

        new PeerHttp2Tuning().customize(connector);

        assertThat(http2.getMaxConcurrentStreams()).isEqualTo(200);
        assertThat(http2.getMaxConcurrentStreamExecution()).isEqualTo(200);
        assertThat(http2.getInitialWindowSize()).isEqualTo(1024 * 1024);
    }

    @Test
    void enablesHttp2WhenTheApplicationDidNot() {
        Connector connector = new Connector();

        new PeerHttp2Tuning().customize(connector);

        assertThat(Arrays.stream(connector.findUpgradeProtocols()))
                .singleElement()
                .isInstanceOfSatisfying(
                        Http2Protocol.class,
                        http2 -> assertThat(http2.getMaxConcurrentStreams()).isEqualTo(200));
    }
}
