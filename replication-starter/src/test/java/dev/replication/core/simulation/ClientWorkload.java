package dev.replication.core.simulation;

import dev.replication.core.LogEntry;
import dev.replication.core.Proposal;
import dev.replication.core.ReadRejection;
import dev.replication.core.ReadState;
import dev.replication.testsupport.history.History;
import dev.replication.testsupport.history.Operation;
import dev.replication.testsupport.history.OperationRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Simulated clients: each has at most one operation outstanding, on a small set of keys so that
 * the per-key histories stay small enough to check quickly. Writes, compare-and-sets and reads
 * through the log are proposed; linearizable reads use read index on any node; stale reads are
 * served from a node's state machine at once (not part of the linearizable history, checked on
 * their own against the committed log).
 */
public final class ClientWorkload {

    enum Kind {
        WRITE,
        COMPARE_AND_SET,
        LOG_READ,
        LINEARIZABLE_READ,
        STALE_READ
    }

    private static final class Client {
        final String id;
        int sequence;
        String leaderHint;
        /** Index of this client's last completed operation: its stale reads must not go below it. */
        long minIndex;

        Op pending;

        Client(String id) {
            this.id = id;
        }
    }

    private static final class Op {
        final Client client;
        final Kind kind;
        final String key;
        final History.Pending record;
        final String node;
        final int incarnation;
        final long startedAt;
        long index;
        long generation;
        long requestId;
        long readIndex = -1;

        Op(Client client, Kind kind, String key, History.Pending record, String node, int incarnation, long startedAt) {
            this.client = client;
            this.kind = kind;
            this.key = key;
            this.record = record;
            this.node = node;
            this.incarnation = incarnation;
            this.startedAt = startedAt;
        }
    }

    private final RandomGenerator random;
    private final History history = new History();
    private final List<Client> clients = new ArrayList<>();
    private final List<String> keys = new ArrayList<>();
    private final long timeoutTicks;
    private final Map<String, List<long[]>> committedValueIndexes = new HashMap<>();
    private final Map<String, List<String>> committedValues = new HashMap<>();
    private final KeyValueStateMachine oracle = new KeyValueStateMachine();
    private long nextRequestId;
    private int staleReads;
    private int completedOk;

    public ClientWorkload(RandomGenerator random, int clientCount, int keyCount, long timeoutTicks) {
        this.random = random;
        this.timeoutTicks = timeoutTicks;
        for (int i = 0; i < clientCount; i++) {
            clients.add(new Client("c" + i));
        }
        for (int i = 0; i < keyCount; i++) {
            keys.add("k" + i);
        }
    }

    public List<OperationRecord> history() {
        return history.operations();
    }

    public int completedOk() {
        return completedOk;
    }

    public int staleReads() {
        return staleReads;
    }

    public boolean allResolved() {
        for (Client client : clients) {
            if (client.pending != null) {
                return false;
            }
        }
        return true;
    }

    /** An idle client issues one operation to a running node, if any is idle. */
    public String issue(List<SimulatedNode> nodes, long now) {
        this.nodes = nodes;
        List<Client> idle = new ArrayList<>();
        for (Client client : clients) {
            if (client.pending == null) {
                idle.add(client);
            }
        }
        if (idle.isEmpty()) {
            return null;
        }
        Client client = idle.get(random.nextInt(idle.size()));
        SimulatedNode node = pickNode(client, nodes, now);
        if (node == null) {
            return null;
        }
        String key = keys.get(random.nextInt(keys.size()));
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        String value = client.id + "-" + (++client.sequence);
        switch (kind) {
            case WRITE:
                return propose(
                        client,
                        node,
                        kind,
                        key,
                        new Operation.Write(key, value),
                        KeyValueStateMachine.write(key, value),
                        now);
            case COMPARE_AND_SET:
                String expected = random.nextInt(4) == 0 ? null : lastCommittedValue(key);
                return propose(
                        client,
                        node,
                        kind,
                        key,
                        new Operation.CompareAndSet(key, expected, value),
                        KeyValueStateMachine.compareAndSet(key, expected, value),
                        now);
            case LOG_READ:
                return propose(client, node, kind, key, new Operation.Read(key), KeyValueStateMachine.read(key), now);
            case LINEARIZABLE_READ:
                return readIndex(client, node, key, now);
            default:
                return staleRead(client, node, key);
        }
    }

    private List<SimulatedNode> nodes = List.of();

    private SimulatedNode nodeById(String id) {
        for (SimulatedNode node : nodes) {
            if (node.id().equals(id)) {
                return node;
            }
        }
        return null;
    }

    /** An idle client, if any, asks {@code node} for a linearizable read of a random key. */
    public String linearizableReadAt(SimulatedNode node, long now) {
        return linearizableReadAt(node, keys.get(random.nextInt(keys.size())), now);
    }

    /** An idle client, if any, asks {@code node} for a linearizable read of {@code key}. */
    public String linearizableReadAt(SimulatedNode node, String key, long now) {
        for (Client client : clients) {
            if (client.pending == null) {
                return readIndex(client, node, key, now);
            }
        }
        return null;
    }

    private String readIndex(Client client, SimulatedNode node, String key, long now) {
        Op read = new Op(
                client,
                Kind.LINEARIZABLE_READ,
                key,
                history.invoke(client.id, new Operation.Read(key)),
                node.id(),
                node.incarnation(),
                now);
        read.requestId = ++nextRequestId;
        client.pending = read;
        node.replica().readIndex(read.requestId);
        return client.id + " read-index " + key + " #" + read.requestId + " at " + node.id();
    }

    private SimulatedNode pickNode(Client client, List<SimulatedNode> nodes, long now) {
        List<SimulatedNode> running = new ArrayList<>();
        for (SimulatedNode node : nodes) {
            if (node.isRunning(now)) {
                // Clients stick to the node they last used, as a connected client does.
                if (node.id().equals(client.leaderHint) && random.nextInt(10) != 0) {
                    return node;
                }
                running.add(node);
            }
        }
        return running.isEmpty() ? null : running.get(random.nextInt(running.size()));
    }

    private String propose(
            Client client, SimulatedNode node, Kind kind, String key, Operation operation, byte[] command, long now) {
        Proposal proposal = node.replica().propose(command);
        if (proposal instanceof Proposal.Rejected rejected && rejected.leaderId() != null) {
            // Follow the redirect at once, as the runtime forwards a write to the leader.
            SimulatedNode leader = nodeById(rejected.leaderId());
            if (leader != null && leader.isRunning(now)) {
                node = leader;
                proposal = node.replica().propose(command);
            }
        }
        if (proposal instanceof Proposal.Rejected rejected) {
            client.leaderHint = rejected.leaderId();
            return client.id + " " + operation + " rejected by " + node.id() + " (leader " + rejected.leaderId() + ")";
        }
        Proposal.Accepted accepted = (Proposal.Accepted) proposal;
        Op op = new Op(client, kind, key, history.invoke(client.id, operation), node.id(), node.incarnation(), now);
        op.index = accepted.index();
        op.generation = accepted.generation();
        client.pending = op;
        client.leaderHint = node.id();
        return client.id + " " + operation + " accepted by " + node.id() + " at " + op.index + "@g" + op.generation;
    }

    private String staleRead(Client client, SimulatedNode node, String key) {
        KeyValueStateMachine stateMachine = node.stateMachine();
        if (stateMachine.appliedIndex() < client.minIndex) {
            return client.id + " stale read of " + key + " at " + node.id() + " refused: applied "
                    + stateMachine.appliedIndex() + " is below the client's minimum index " + client.minIndex;
        }
        String value = stateMachine.get(key);
        String expected = committedValueAt(key, stateMachine.appliedIndex());
        if (!Objects.equals(value, expected)) {
            throw new SafetyViolation("stale read of " + key + " at " + node.id() + " (applied "
                    + stateMachine.appliedIndex() + ") returned " + value + " but the committed log has " + expected);
        }
        staleReads++;
        return client.id + " stale read " + key + "=" + value + " at " + node.id();
    }

    /** A new entry joined the committed log (in order): keeps the reference state up to date. */
    public void committed(LogEntry entry) {
        oracle.apply(entry);
        for (String key : keys) {
            List<String> values = committedValues.computeIfAbsent(key, k -> new ArrayList<>());
            String value = oracle.get(key);
            String last = values.isEmpty() ? null : values.get(values.size() - 1);
            if (!Objects.equals(value, last)) {
                values.add(value);
                committedValueIndexes
                        .computeIfAbsent(key, k -> new ArrayList<>())
                        .add(new long[] {entry.index()});
            }
        }
    }

    private String lastCommittedValue(String key) {
        return oracle.get(key);
    }

    private String committedValueAt(String key, long index) {
        List<long[]> indexes = committedValueIndexes.getOrDefault(key, List.of());
        String value = null;
        for (int i = 0; i < indexes.size() && indexes.get(i)[0] <= index; i++) {
            value = committedValues.get(key).get(i);
        }
        return value;
    }

    /** {@code node} applied {@code entry}: completes operations waiting on it. */
    public void applied(SimulatedNode node, LogEntry entry, Object result) {
        for (Client client : clients) {
            Op op = client.pending;
            if (op == null || !op.node.equals(node.id()) || op.incarnation != node.incarnation()) {
                continue;
            }
            if (op.kind == Kind.LINEARIZABLE_READ) {
                serveReadIfApplied(node, op);
            } else if (op.index == entry.index() && op.generation == entry.generation()) {
                op.record.ok(result);
                complete(op, entry.index());
            } else if (op.index == entry.index() || (op.index > entry.index() && op.generation < entry.generation())) {
                // Another entry committed at our index, or a newer generation committed before
                // it (generations never decrease along the log): our entry was overwritten.
                op.record.failed();
                client.pending = null;
            }
        }
    }

    /** Read outcomes that {@code node} reported after applying a Ready's committed entries. */
    public void readOutcomes(SimulatedNode node, List<ReadState> readStates, List<ReadRejection> readRejections) {
        for (ReadState state : readStates) {
            Op op = readWaiting(node, state.requestId());
            if (op != null) {
                op.readIndex = state.readIndex();
                serveReadIfApplied(node, op);
            }
        }
        for (ReadRejection rejection : readRejections) {
            Op op = readWaiting(node, rejection.requestId());
            if (op != null) {
                op.record.failed();
                op.client.pending = null;
                op.client.leaderHint = rejection.leaderId();
            }
        }
    }

    private Op readWaiting(SimulatedNode node, long requestId) {
        for (Client client : clients) {
            Op op = client.pending;
            if (op != null
                    && op.kind == Kind.LINEARIZABLE_READ
                    && op.requestId == requestId
                    && op.node.equals(node.id())
                    && op.incarnation == node.incarnation()) {
                return op;
            }
        }
        return null;
    }

    private void serveReadIfApplied(SimulatedNode node, Op op) {
        if (op.readIndex >= 0 && node.stateMachine().appliedIndex() >= op.readIndex) {
            op.record.ok(node.stateMachine().get(op.key));
            complete(op, op.readIndex);
        }
    }

    private void complete(Op op, long index) {
        op.client.minIndex = Math.max(op.client.minIndex, index);
        op.client.pending = null;
        completedOk++;
    }

    /**
     * {@code node} installed a leader's snapshot up to {@code index} (of {@code generation}): it
     * never applies the entries the snapshot covers, so a command of it waiting there gets no
     * result here (its outcome is unknown to the client, like a lost answer); one proposed past
     * it in an older generation certainly failed (generations never decrease along the log); a
     * read waiting for that index may now be served.
     */
    public void snapshotInstalled(SimulatedNode node, long index, long generation) {
        for (Client client : clients) {
            Op op = client.pending;
            if (op == null || !op.node.equals(node.id()) || op.incarnation != node.incarnation()) {
                continue;
            }
            if (op.kind == Kind.LINEARIZABLE_READ) {
                serveReadIfApplied(node, op);
            } else if (op.index > 0 && op.index <= index) {
                op.record.unknown();
                client.pending = null;
            } else if (op.index > index && op.generation < generation) {
                op.record.failed();
                client.pending = null;
            }
        }
    }

    /** {@code node} crashed: whatever it was doing for clients has an unknown outcome. */
    public void crashed(SimulatedNode node) {
        for (Client client : clients) {
            Op op = client.pending;
            if (op != null && op.node.equals(node.id())) {
                op.record.unknown();
                client.pending = null;
            }
        }
    }

    /** Operations outstanding for too long are given up with an unknown outcome. */
    public void tick(long now) {
        for (Client client : clients) {
            Op op = client.pending;
            if (op != null && now - op.startedAt > timeoutTicks) {
                op.record.unknown();
                client.pending = null;
            }
        }
    }

    public String pendingDescription() {
        StringBuilder description = new StringBuilder();
        for (Client client : clients) {
            if (client.pending != null) {
                Op op = client.pending;
                description
                        .append(client.id)
                        .append(' ')
                        .append(op.kind)
                        .append(' ')
                        .append(op.key)
                        .append(" at ")
                        .append(op.node)
                        .append(" index ")
                        .append(op.index)
                        .append("@g")
                        .append(op.generation)
                        .append(" read#")
                        .append(op.requestId)
                        .append("; ");
            }
        }
        return description.toString();
    }
}
