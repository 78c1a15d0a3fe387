package dev.replication.transport.servlet;

import org.apache.catalina.connector.Connector;
import org.apache.coyote.UpgradeProtocol;
import org.apache.coyote.http2.Http2Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.tomcat.TomcatConnectorCustomizer;

/**
 * Makes Tomcat's connector fit for the peer channel: enables HTTP/2 (cleartext with prior
 * knowledge, beside HTTP/1.1 on the same port) when {@code server.http2.enabled} did not, and
 * raises the HTTP/2 limits whose defaults stall a pipelined peer connection.
 *
 * <p>With Tomcat's defaults (20 streams executed at once, 64 KiB initial window), 48-64
 * concurrent requests with 4 KiB bodies on one connection were seen to hang until the client
 * timed out. 200 streams, all executable, and a 1 MiB window keep 128 requests in flight on
 * one connection. Register as a bean; Spring Boot applies it after adding its own
 * {@link Http2Protocol}.
 */
public class PeerHttp2Tuning implements TomcatConnectorCustomizer {

    private static final Logger log = LoggerFactory.getLogger(PeerHttp2Tuning.class);

    public static final int MAX_CONCURRENT_STREAMS = 200;
    public static final int MAX_CONCURRENT_STREAM_EXECUTION = 200;
    public static final int INITIAL_WINDOW_SIZE = 1024 * 1024;

    @Override
    public void customize(Connector connector) {
        Http2Protocol http2 = null;
        for (UpgradeProtocol protocol : connector.findUpgradeProtocols()) {
            if (protocol instanceof Http2Protocol found) {
                http2 = found;
            }
        }
        if (http2 == null) {
            http2 = new Http2Protocol();
            connector.addUpgradeProtocol(http2);
            log.info(
                    "Enabled HTTP/2 on port {} for replication peers (server.http2.enabled was"
                            + " not set; HTTP/1.1 still works on the same port)",
                    connector.getPort());
        }
        http2.setMaxConcurrentStreams(MAX_CONCURRENT_STREAMS);
        http2.setMaxConcurrentStreamExecution(MAX_CONCURRENT_STREAM_EXECUTION);
        http2.setInitialWindowSize(INITIAL_WINDOW_SIZE);
    }
}
