package dev.replication.spring;

import dev.replication.runtime.NodeMetrics;
import dev.replication.runtime.NodeStatus;
import dev.replication.runtime.ReplicationNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * Micrometer metrics under {@code replication.*}, when Micrometer is on the classpath: commit
 * latency, append batch size, persist (fsync) time, elections, leader changes, apply lag, and
 * followers that lost acknowledged entries.
 */
@AutoConfiguration(before = ReplicationAutoConfiguration.class)
@ConditionalOnClass(MeterRegistry.class)
public final class ReplicationMetricsAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    NodeMetrics replicationNodeMetrics(ObjectProvider<MeterRegistry> registry, ObjectProvider<ReplicationNode> node) {
        return new MicrometerNodeMetrics(registry, node);
    }

    /** Registers its meters lazily: the registry and the node may not exist yet when created. */
    static final class MicrometerNodeMetrics implements NodeMetrics {
        private final ObjectProvider<MeterRegistry> registryProvider;
        private final ObjectProvider<ReplicationNode> nodeProvider;
        private volatile @Nullable Meters meters;

        MicrometerNodeMetrics(ObjectProvider<MeterRegistry> registry, ObjectProvider<ReplicationNode> node) {
            this.registryProvider = registry;
            this.nodeProvider = node;
        }

        private Meters meters() {
            Meters current = meters;
            if (current == null) {
                synchronized (this) {
                    if (meters == null) {
                        MeterRegistry registry = registryProvider.getIfAvailable();
                        meters = registry == null ? Meters.NONE : new Meters(registry, nodeProvider);
                    }
                    current = meters;
                }
            }
            return current;
        }

        @Override
        public void committed(long nanos) {
            Meters m = meters();
            if (m.commitLatency != null) {
                m.commitLatency.record(nanos, TimeUnit.NANOSECONDS);
            }
        }

        @Override
        public void persisted(int entries, long nanos) {
            Meters m = meters();
            if (m.persistLatency != null && m.appendBatch != null) {
                m.persistLatency.record(nanos, TimeUnit.NANOSECONDS);
                m.appendBatch.record(entries);
            }
        }

        @Override
        public void electionStarted() {
            Meters m = meters();
            if (m.elections != null) {
                m.elections.increment();
            }
        }

        @Override
        public void leaderChanged() {
            Meters m = meters();
            if (m.leaderChanges != null) {
                m.leaderChanges.increment();
            }
        }

        @Override
        public void processPaused(long millis) {
            Meters m = meters();
            if (m.pauses != null) {
                m.pauses.record(millis);
            }
        }

        @Override
        public void checkpointed(long millis) {
            Meters m = meters();
            if (m.checkpoints != null) {
                m.checkpoints.record(millis, TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void followerLogRegression(String follower) {
            MeterRegistry registry = registryProvider.getIfAvailable();
            if (registry != null) {
                // Tagged by follower: as many series as peers.
                Counter.builder("replication.follower.log.regressions")
                        .description("Times a follower came back without entries it had acknowledged"
                                + " (acknowledged before fsync, then lost power)")
                        .tag("follower", follower)
                        .register(registry)
                        .increment();
            }
        }
    }

    /** The meters, all null in {@link #NONE} (no registry). */
    private static final class Meters {
        static final Meters NONE = new Meters();

        final @Nullable Timer commitLatency;
        final @Nullable Timer persistLatency;
        final @Nullable DistributionSummary appendBatch;
        final @Nullable Counter elections;
        final @Nullable Counter leaderChanges;
        final @Nullable DistributionSummary pauses;
        final @Nullable Timer checkpoints;

        private Meters() {
            checkpoints = null;
            commitLatency = null;
            persistLatency = null;
            appendBatch = null;
            elections = null;
            leaderChanges = null;
            pauses = null;
        }

        Meters(MeterRegistry registry, ObjectProvider<ReplicationNode> node) {
            commitLatency = Timer.builder("replication.commit.latency")
                    .description("Time from a leader accepting a write to applying it (quorum fsync included)")
                    .publishPercentiles(0.5, 0.99)
                    .register(registry);
            persistLatency = Timer.builder("replication.log.persist")
                    .description("Time for a log append to become durable (write and fsync)")
                    .publishPercentiles(0.5, 0.99)
                    .register(registry);
            appendBatch = DistributionSummary.builder("replication.log.append.batch")
                    .description("Entries per durable log append (group commit)")
                    .register(registry);
            elections = Counter.builder("replication.elections")
                    .description("Elections this node started as a candidate")
                    .register(registry);
            leaderChanges = Counter.builder("replication.leader.changes")
                    .description("Changes of the leader this node knows of")
                    .register(registry);
            pauses = DistributionSummary.builder("replication.process.pauses")
                    .baseUnit("milliseconds")
                    .description("Pauses of this process (GC, SIGSTOP, a starved machine) longer than the"
                            + " election timeout, as the node's tick timer saw them")
                    .register(registry);
            checkpoints = Timer.builder("replication.checkpoint.duration")
                    .description("Time from capturing a checkpoint to its being durable with its Low-Water Mark"
                            + " (off the update thread)")
                    .register(registry);
            Gauge.builder("replication.checkpoint.index", node, provider -> {
                        ReplicationNode current = provider.getIfAvailable();
                        return current == null ? 0 : current.snapshotStatus().checkpointIndex();
                    })
                    .description("Index of the newest durable checkpoint (0: none yet)")
                    .register(registry);
            Gauge.builder("replication.checkpoint.size", node, provider -> {
                        ReplicationNode current = provider.getIfAvailable();
                        return current == null
                                ? 0
                                : Math.max(0, current.snapshotStatus().checkpointBytes());
                    })
                    .description("Bytes the checkpoint store takes on disk")
                    .baseUnit("bytes")
                    .register(registry);
            Gauge.builder("replication.log.first.index", node, provider -> {
                        ReplicationNode current = provider.getIfAvailable();
                        return current == null ? 0 : current.firstLogIndex();
                    })
                    .description("First index still in the log; entries below were compacted")
                    .register(registry);
            Gauge.builder("replication.snapshot.transfers", node, provider -> {
                        ReplicationNode current = provider.getIfAvailable();
                        if (current == null) {
                            return 0;
                        }
                        NodeStatus.SnapshotStatus status = current.snapshotStatus();
                        return status.sending().size() + (status.receiving() == null ? 0 : 1);
                    })
                    .description("Snapshot installs in progress: sent to followers, or received from the leader")
                    .register(registry);
            Gauge.builder("replication.snapshot.transfer.remaining", node, provider -> {
                        ReplicationNode current = provider.getIfAvailable();
                        if (current == null) {
                            return 0;
                        }
                        NodeStatus.SnapshotStatus status = current.snapshotStatus();
                        long remaining = status.sending().values().stream()
                                .mapToLong(transfer -> transfer.totalBytes() - transfer.bytesDone())
                                .sum();
                        NodeStatus.SnapshotStatus.Transfer receiving = status.receiving();
                        return remaining + (receiving == null ? 0 : receiving.totalBytes() - receiving.bytesDone());
                    })
                    .description("Bytes of the snapshot installs in progress still to be sent or received")
                    .baseUnit("bytes")
                    .register(registry);
            Gauge.builder("replication.apply.lag", node, provider -> {
                        ReplicationNode current = provider.getIfAvailable();
                        return current == null ? 0 : Math.max(0, current.commitIndex() - current.appliedIndex());
                    })
                    .description("Committed entries not yet applied on this node")
                    .register(registry);
            Gauge.builder("replication.log.disk.full", node, provider -> {
                        ReplicationNode current = provider.getIfAvailable();
                        return current != null && current.logHealth().diskFull() != null ? 1 : 0;
                    })
                    .description("1 while the disk holding the log is full and appends wait for space")
                    .register(registry);
            Gauge.builder("replication.log.persist.in.progress", node, provider -> {
                        ReplicationNode current = provider.getIfAvailable();
                        return current == null ? 0 : current.logHealth().persistInProgressMillis();
                    })
                    .description("Milliseconds the log persist in progress has taken so far (0: idle)")
                    .baseUnit("milliseconds")
                    .register(registry);
        }
    }
}
