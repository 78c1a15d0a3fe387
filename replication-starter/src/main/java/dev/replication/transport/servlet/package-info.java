/**
 * The servlet side of the peer transport: the Spring MVC endpoint under
 * {@code /replication/v1/} that peers POST to, and the Tomcat connector tuning that makes the
 * application's own web server fit for a pipelined HTTP/2 peer connection.
 *
 * <p>Owns only the mapping between HTTP and {@link dev.replication.transport.InboundRequests}:
 * authentication, decoding and ordering stay in {@code dev.replication.transport}, which knows
 * nothing of Spring or Tomcat. Registered by the auto-configuration only in a servlet web
 * application.
 */
@NullMarked
package dev.replication.transport.servlet;

import org.jspecify.annotations.NullMarked;
