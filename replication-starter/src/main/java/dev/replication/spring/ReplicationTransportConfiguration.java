package dev.replication.spring;

import dev.replication.transport.ClusterSecret;
import dev.replication.transport.Http2PeerTransport;
import dev.replication.transport.InMemoryPeerNetwork;
import dev.replication.transport.servlet.PeerEndpoint;
import dev.replication.transport.servlet.PeerHttp2Tuning;
import dev.replication.transport.PeerTransport;
import dev.replication.transport.PeerTransportSettings;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * The peer channel: HTTP/2 to the other nodes when there are any, none for a cluster of one.
 * An application (or a test) that defines its own {@link PeerTransport} bean replaces it.
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
            return new Http2PeerTransport(PeerTransportSettings.of(setup.nodeId(), setup.clusterId(),
                    setup.members().peers(), secret == null ? ClusterSecret.none() : ClusterSecret.of(secret)));
        }

        @Bean
        @ConditionalOnBean(Http2PeerTransport.class)
        @ConditionalOnMissingBean
        PeerEndpoint replicationPeerEndpoint(Http2PeerTransport transport) {
            return new PeerEndpoint(transport);
        }

        @Bean
        @ConditionalOnClass(name = "org.apache.catalina.connector.Connector")
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
    @ConditionalOnClass(name = "org.springframework.security.config.annotation.web.configuration.WebSecurityCustomizer")
    static class PeerEndpointSecurity {

        @Bean
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
}
