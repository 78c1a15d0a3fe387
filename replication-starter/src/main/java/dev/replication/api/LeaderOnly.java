package dev.replication.api;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Runs the annotated method only while this node is the cluster's leader; on any other node a
 * call does nothing and returns null. Meant for {@code @Scheduled} jobs that must run on one
 * node at a time:
 *
 * <pre>{@code
 * @Scheduled(fixedDelay = 10_000)
 * @LeaderOnly
 * void expireReservations() {
 *     long fence = leadership.generation(); // the generation this call was admitted in
 *     reservations.expireOlderThan(..., fence);
 * }
 * }</pre>
 *
 * <p>Two leaders' jobs can overlap briefly: a leader that is cut off keeps running until it
 * notices (at most about one election timeout), while the majority already elected a new one.
 * Writes through a {@link ReplicatedMap} are safe regardless (the old leader cannot commit).
 * For anything outside the cluster, pass {@link Leadership#generation()} along as a fencing
 * token and let the resource refuse tokens lower than the highest it has seen.
 *
 * <p>The bean must be proxyable (not final, methods not final or private).
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface LeaderOnly {}
