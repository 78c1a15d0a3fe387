package dev.replication.transport;

import static org.springframework.security.config.Customizer.withDefaults;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.annotation.Order;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A node inside an application that uses Spring Security for its own endpoints (HTTP Basic,
 * CSRF on). The peer endpoints get a chain of their own, first in order: permitted, exempt
 * from CSRF (peers hold no browser session) and stateless, because the cluster credential
 * protects them. This is the chain the auto-configuration should contribute when Spring
 * Security is present.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(PeerNodeConfiguration.class)
class SecuredPeerNodeApplication {

    @Bean
    @Order(1)
    SecurityFilterChain peerEndpointChain(HttpSecurity http) throws Exception {
        return http.securityMatcher("/replication/v1/**")
                .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
                .csrf(csrf -> csrf.disable())
                .sessionManagement(sessions -> sessions.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .build();
    }

    @Bean
    @Order(2)
    SecurityFilterChain applicationChain(HttpSecurity http) throws Exception {
        return http.authorizeHttpRequests(requests -> requests.anyRequest().authenticated())
                .httpBasic(withDefaults())
                .build();
    }

    /** The application's own endpoint, which must stay protected (registered as a member class). */
    @RestController
    static class OrdersController {

        @PostMapping("/orders")
        String create() {
            return "created";
        }
    }
}
