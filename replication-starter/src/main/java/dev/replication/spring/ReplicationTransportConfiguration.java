package dev.replication.spring;

import dev.replication.transport.ClusterSecret;
import dev.replication.transport.Http2PeerTransport;
import dev.replication.transport.InMemoryPeerNetwork;
import dev.replication.transport.PeerTransport;
import dev.replication.transport.PeerTransportSettings;
import dev.replication.transport.servlet.PeerEndpoint;
import dev.replication.transport.servlet.PeerHttp2Tuning;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.autoconfigure.condition.NoneNestedConditions;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/**
 * The peer channel: HTTP/2 to the other nodes when there are any, none for a cluster of one.
 * An application (or a test) that defines its own {@link PeerTransport} bean replaces it.
 *
 * <p>The HTTP/2 transport receives through the application's own servlet web server (Spring
 * MVC), so it needs one: a cluster of one runs in any application, but several nodes without a
 * servlet web server fail at startup with a {@link ReplicationConfigurationException} instead of
 * forming a cluster whose peers can never reach each other.
 */
@Configuration(proxyBeanMethods = false)
class ReplicationTransportConfiguration {

    @Configuration(proxyBeanMethods = false)
    @Conditional(MultiNodeCondition.class)
    static class Http2Transport {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean(PeerTransport.class)
        Http2PeerTransport replicationPeerTransport(ReplicationSetup setup) {
            String secret = setup.clusterSecret();
            PeerTransportSettings settings = PeerTransportSettings.of(
                            setup.nodeId(),
                            setup.clusterId(),
                            setup.members().peers(),
                            secret == null ? ClusterSecret.none() : ClusterSecret.of(secret))
                    .withInboundLimits(
                            setup.maxPeerBodyBytes(),
                            setup.properties().getPeer().getMaxRequestsPerSender());
            requireMessagesFit(setup, settings.maxBodyBytes());
            return new Http2PeerTransport(settings);
        }

        /**
         * An append carries max-bytes-per-append of entries, or one entry larger than that; either
         * must fit in one peer request, or a follower could never receive it. Half the body limit
         * leaves room for the framing of every entry and of the batch.
         */
        private static void requireMessagesFit(ReplicationSetup setup, int maxBodyBytes) {
            long room = maxBodyBytes / 2;
            ReplicationProperties properties = setup.properties();
            long append = properties.getPipeline().getMaxBytesPerAppend().toBytes();
            long entry = properties.getMap().getMaxKeySize().toBytes()
                    + properties.getMap().getMaxValueSize().toBytes();
            if (append > room || entry > room) {
                throw new ReplicationConfigurationException(
                        "replication.pipeline.max-bytes-per-append ("
                                + append + " bytes) and replication.map.max-key-size + max-value-size (" + entry
                                + " bytes) must each be at most " + room + " bytes, half the largest peer request ("
                                + maxBodyBytes + " bytes): every append travels to a follower in one peer request",
                        "Lower replication.pipeline.max-bytes-per-append or replication.map.max-value-size to at most "
                                + room + " bytes, and store larger objects elsewhere");
            }
        }

        @Bean
        @ConditionalOnBean(Http2PeerTransport.class)
        @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
        @ConditionalOnMissingBean
        PeerEndpoint replicationPeerEndpoint(Http2PeerTransport transport) {
            return new PeerEndpoint(transport);
        }

        /** Our HTTP/2 transport, but nothing to receive its peers' requests: refuse to start. */
        @Bean
        @Lazy(false)
        @ConditionalOnBean(Http2PeerTransport.class)
        @Conditional(NotServletWebApplication.class)
        Object replicationPeerEndpointUnavailable(ReplicationSetup setup) {
            throw new ReplicationConfigurationException(
                    "replication.peers lists " + setup.members().peers().size()
                            + " nodes " + setup.members().peers().keySet() + ", but this application has no servlet web"
                            + " server to receive their peer requests on (the peer endpoint is a Spring MVC controller)",
                    "Run the application as a servlet web application (Spring MVC, for example with"
                            + " spring-boot-starter-webmvc, and without spring.main.web-application-type=none), or list"
                            + " only this node in replication.peers for a cluster of one");
        }
    }

    /**
     * Tomcat's HTTP/2 limits raised for a pipelined peer connection; only where Tomcat serves
     * the peer endpoint. Another servlet container keeps its own settings.
     */
    @Configuration(proxyBeanMethods = false)
    @Conditional(MultiNodeCondition.class)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(
            name = {
                "org.apache.catalina.connector.Connector",
                "org.springframework.boot.tomcat.TomcatConnectorCustomizer"
            })
    static class PeerTomcatTuning {

        @Bean
        @ConditionalOnMissingBean
        PeerHttp2Tuning replicationPeerHttp2Tuning() {
            return new PeerHttp2Tuning();
        }
    }

    /**
     * With Spring Security, the peer endpoints are left out of the application's filter chains
     * (no login, no CSRF: peers hold no browser session); the cluster credential checked by the
     * endpoint itself protects them. The application's own chains stay as they are.
     */
    @Configuration(proxyBeanMethods = false)
    @Conditional(MultiNodeCondition.class)
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    @ConditionalOnClass(name = "org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer")
    static class PeerEndpointSecurity {

        @Bean
        @ConditionalOnMissingBean(name = "replicationPeerEndpointsExemption")
        org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer
                replicationPeerEndpointsExemption() {
            return web -> web.ignoring().requestMatchers("/" + Http2PeerTransport.BASE_PATH + "**");
        }
    }

    /** A cluster of one has nobody to talk to: an empty in-process network. */
    @Bean(destroyMethod = "close")
    @Conditional(SingleNodeCondition.class)
    @ConditionalOnMissingBean(PeerTransport.class)
    PeerTransport replicationLocalTransport(ReplicationSetup setup) {
        return new InMemoryPeerNetwork().transportFor(setup.nodeId());
    }

    /** Matches unless the application is a servlet web application. */
    static final class NotServletWebApplication extends NoneNestedConditions {

        NotServletWebApplication() {
            super(ConfigurationPhase.REGISTER_BEAN);
        }

        @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
        static final class ServletWebApplication {}
    }
}
