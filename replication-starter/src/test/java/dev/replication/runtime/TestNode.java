package dev.replication.runtime;

import dev.replication.core.AppendRequest;
import dev.replication.core.HardState;
import dev.replication.core.LogEntry;
import dev.replication.core.Message;
import dev.replication.core.RoleState;
import dev.replication.core.StateMachine;
import dev.replication.log.CrashSimulatingFileLayer;
import dev.replication.log.HardStateFile;
import dev.replication.log.LogOptions;
import dev.replication.log.SegmentedLog;
import dev.replication.state.KeyValueStateMachine;
import dev.replication.transport.InboundHandler;
import dev.replication.transport.PeerTransport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One real node on a disk that forgets what was not fsync'd, with peers the test plays: messages
 * it sends are recorded, peer calls wait for the test to answer them, and its state machine can
 * hold the update-queue thread inside an apply.
 */
final class TestNode implements AutoCloseable {

    static final Path DATA = Path.of("/node");
    static final Set<String> THREE = Set.of("n1", "n2", "n3");

    final CrashSimulatingFileLayer disk = new CrashSimulatingFileLayer();
    final ScriptedPeers peers = new ScriptedPeers();
    final GatedStateMachine stateMachine = new GatedStateMachine(new KeyValueStateMachine());
    final List<RoleState> roles = new CopyOnWriteArrayList<>();
    private final AtomicLong rounds = new AtomicLong(100);
    SegmentedLog log;
    ReplicationNode node;

    /** Defaults of a test: ticks of 50 ms, a small queue, small apply batches. */
    static NodeSettings settings(Set<String> voters, Duration electionTimeout, int queueCapacity) {
        return new NodeSettings(
                "n1",
                voters,
                Duration.ofMillis(50),
                electionTimeout,
                Duration.ofMillis(100),
                4,
                64,
                1024,
                queueCapacity,
                100_000);
    }

    /** A member of three whose peers speak only when the test makes them. */
    ReplicationNode startFollower(int queueCapacity) {
        return start(settings(THREE, Duration.ofSeconds(30), queueCapacity));
    }

    /** A cluster of one: it elects itself and commits alone. */
    ReplicationNode startSingle() {
        return start(settings(Set.of("n1"), Duration.ofMillis(300), 1000));
    }

    ReplicationNode start(NodeSettings settings) {
        log = SegmentedLog.open(DATA.resolve("log"), LogOptions.defaults(), disk);
        node = new ReplicationNode(
                settings,
                log,
                new HardStateFile(DATA.resolve("hard-state"), disk),
                peers,
                stateMachine,
                roles::add,
                null);
        node.start();
        return node;
    }

    /** What a previous run of this node left on disk: its generation and its log. */
    void storedBefore(long generation, List<LogEntry> entries) throws Exception {
        try (SegmentedLog previous = SegmentedLog.open(DATA.resolve("log"), LogOptions.defaults(), disk)) {
            previous.append(entries).get();
        }
        new HardStateFile(DATA.resolve("hard-state"), disk).save(new HardState(generation, null));
    }

    /** Leader n2 of generation 1 sends {@code entries} after {@code prevIndex}; returns its round. */
    long fromLeader(long prevIndex, List<LogEntry> entries, long commitIndex) {
        long round = rounds.incrementAndGet();
        peers.handler.onMessage(
                new AppendRequest("n2", "n1", 1, prevIndex, prevIndex == 0 ? 0 : 1, entries, commitIndex, round));
        return round;
    }

    @Override
    public void close() {
        if (node != null) {
            node.close();
        }
        if (log != null) {
            log.close();
        }
    }

    /** Peers played by the test. */
    static final class ScriptedPeers implements PeerTransport {
        final List<Message> sent = new CopyOnWriteArrayList<>();
        final LinkedBlockingQueue<Call> calls = new LinkedBlockingQueue<>();
        volatile Consumer<Message> onSend = message -> {};
        volatile InboundHandler handler;

        @Override
        public void start(InboundHandler handler) {
            this.handler = handler;
        }

        @Override
        public void send(Message message) {
            onSend.accept(message);
            sent.add(message);
        }

        @Override
        public CompletableFuture<byte[]> call(String peerId, String operation, byte[] body, Duration timeout) {
            Call call = new Call(peerId, operation, body, new CompletableFuture<>());
            calls.add(call);
            return call.answer();
        }

        @Override
        public void close() {}
    }

    record Call(String peerId, String operation, byte[] body, CompletableFuture<byte[]> answer) {}

    /** Applies through the real machine; can hold the applying thread at one index. */
    static final class GatedStateMachine implements StateMachine<byte[]> {
        private final StateMachine<byte[]> delegate;
        private volatile long holdAt = -1;
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);
        volatile Consumer<LogEntry> beforeApply = entry -> {};

        GatedStateMachine(StateMachine<byte[]> delegate) {
            this.delegate = delegate;
        }

        /** The thread that applies {@code index} waits there until {@link #release()}. */
        void holdAt(long index) {
            holdAt = index;
        }

        boolean isHolding() {
            return held.getCount() == 0 && released.getCount() > 0;
        }

        void release() {
            released.countDown();
        }

        @Override
        public byte[] stamp(byte[] command) {
            return delegate.stamp(command);
        }

        @Override
        public void observe(LogEntry stored) {
            delegate.observe(stored);
        }

        @Override
        public byte[] apply(LogEntry committed) {
            beforeApply.accept(committed);
            if (committed.index() == holdAt) {
                held.countDown();
                try {
                    released.await();
                } catch (InterruptedException stopping) {
                    // The node is closing: carry on so its thread can finish the turn.
                }
            }
            return delegate.apply(committed);
        }

        @Override
        public long appliedIndex() {
            return delegate.appliedIndex();
        }

        @Override
        public void writeSnapshot(OutputStream out) throws IOException {
            delegate.writeSnapshot(out);
        }

        @Override
        public void restoreSnapshot(long index, InputStream in) throws IOException {
            delegate.restoreSnapshot(index, in);
        }
    }
}
