/**
 * The sample service: an HTTP key-value API over one replicated map, a leader-only heartbeat
 * job, and Actuator. Built only on the starter's public API ({@code dev.replication.api}), so it
 * shows what any application can do with it.
 *
 * <p>{@link dev.replication.sample.KeyValueController} serves {@code /kv/**};
 * {@link dev.replication.sample.KeyValueProblems} turns the sample's own failures (absent key,
 * refused request) into RFC 9457 problem details, as the starter does with its exceptions; {@link dev.replication.sample.KeyValueLimits}
 * holds the request size limits; {@link dev.replication.sample.LeaderHeartbeat} is the
 * leader-only scheduled job and {@link dev.replication.sample.LeaderController} shows its record.
 */
@NullMarked
package dev.replication.sample;

import org.jspecify.annotations.NullMarked;
