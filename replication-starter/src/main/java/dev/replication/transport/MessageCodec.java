package dev.replication.transport;

import dev.replication.codec.BinaryReader;
import dev.replication.codec.BinaryWriter;
import dev.replication.codec.MalformedEncodingException;
import dev.replication.core.AppendRequest;
import dev.replication.core.AppendResponse;
import dev.replication.core.EntryType;
import dev.replication.core.InstallSnapshot;
import dev.replication.core.LogEntry;
import dev.replication.core.Message;
import dev.replication.core.ReadIndexRequest;
import dev.replication.core.ReadIndexResponse;
import dev.replication.core.TimeoutNow;
import dev.replication.core.VoteRequest;
import dev.replication.core.VoteResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The compact binary wire format of core messages (not JSON: appends carry opaque payloads and
 * heartbeats must stay a few dozen bytes).
 *
 * <p>A body is a version byte, then (for a batch) its {@link BatchOrder} and a message count,
 * then each message as a type tag, the common fields {@code from, to, generation} and its own
 * fields. Numbers are unsigned
 * variable-length integers, strings and payloads are length-prefixed. A node decodes every
 * version in {@link #SUPPORTED_VERSIONS} and rejects any other with an
 * {@link UnsupportedWireVersionException} naming both; any other malformed body fails with a
 * {@link MalformedEncodingException} naming the field.
 *
 * <p>Adding a message type (e.g. a snapshot chunk) takes a new tag in {@link #TAGS}, one branch
 * in {@link #writeMessage} and one case in {@link #readMessage}; tags are never reused.
 */
public final class MessageCodec {

    /**
     * The version this node writes. 2: read-index requests and responses carry the requesting
     * process's incarnation (nothing with version 1 was released, so only 2 is read).
     */
    public static final int CURRENT_VERSION = 2;

    /** The versions this node reads. */
    public static final Set<Integer> SUPPORTED_VERSIONS = Set.of(2);

    private static final int APPEND_REQUEST = 1;
    private static final int APPEND_RESPONSE = 2;
    private static final int VOTE_REQUEST = 3;
    private static final int VOTE_RESPONSE = 4;
    private static final int READ_INDEX_REQUEST = 5;
    private static final int READ_INDEX_RESPONSE = 6;
    private static final int TIMEOUT_NOW = 7;
    private static final int INSTALL_SNAPSHOT = 8;

    /** Stable type tag of every message type the codec knows. */
    static final Map<Class<? extends Message>, Integer> TAGS = Map.of(
            AppendRequest.class, APPEND_REQUEST,
            AppendResponse.class, APPEND_RESPONSE,
            VoteRequest.class, VOTE_REQUEST,
            VoteResponse.class, VOTE_RESPONSE,
            ReadIndexRequest.class, READ_INDEX_REQUEST,
            ReadIndexResponse.class, READ_INDEX_RESPONSE,
            TimeoutNow.class, TIMEOUT_NOW,
            InstallSnapshot.class, INSTALL_SNAPSHOT);

    private static final String FORMAT = "peer message";
    private static final String REMEDY = "the body was truncated or the sender's codec is incompatible";
    private static final String UPGRADE = "the sender is newer than this node: upgrade this node";

    /** Fixed overhead assumed per message and per entry when bounding batches by bytes. */
    private static final int MESSAGE_OVERHEAD = 48;

    private static final int ENTRY_OVERHEAD = 24;

    public byte[] encode(Message message) {
        BinaryWriter out = new BinaryWriter(estimatedSize(message) + 1);
        out.writeByte(CURRENT_VERSION);
        writeMessage(out, message);
        return out.toByteArray();
    }

    public Message decode(byte[] body) {
        BinaryReader in = new BinaryReader(body, FORMAT, REMEDY);
        readVersion(in);
        Message message = readMessage(in);
        in.requireEnd();
        return message;
    }

    /** A batch without delivery order: the receiver hands its messages on at once. */
    public byte[] encodeBatch(List<? extends Message> messages) {
        return encodeBatch(BatchOrder.UNORDERED, messages);
    }

    public List<Message> decodeBatch(byte[] body) {
        return decodeOrderedBatch(body).messages();
    }

    /** A batch whose place in its sender's sequence is {@code order}. */
    byte[] encodeBatch(BatchOrder order, List<? extends Message> messages) {
        int estimate = 32;
        for (Message message : messages) {
            estimate += estimatedSize(message);
        }
        BinaryWriter out = new BinaryWriter(estimate);
        out.writeByte(CURRENT_VERSION);
        out.writeVarLong(order.channel());
        out.writeByte(order.lane());
        out.writeVarLong(order.sequence());
        out.writeVarLong(order.oldestPending());
        out.writeVarLong(messages.size());
        for (Message message : messages) {
            writeMessage(out, message);
        }
        return out.toByteArray();
    }

    MessageBatch decodeOrderedBatch(byte[] body) {
        BinaryReader in = new BinaryReader(body, FORMAT, REMEDY);
        readVersion(in);
        BatchOrder order = new BatchOrder(
                in.readVarLong("batch channel"),
                in.readByte("batch lane"),
                in.readVarLong("batch sequence"),
                in.readVarLong("batch oldest pending"));
        int count = in.readVarCount("batch message count");
        List<Message> messages = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            messages.add(readMessage(in));
        }
        in.requireEnd();
        return new MessageBatch(order, messages);
    }

    /**
     * Where a batch stands in its sender's sequence, so the receiver can restore the send order
     * that concurrent HTTP/2 streams lose.
     *
     * @param channel random id of the sender's channel instance (0: unordered batch); a new one
     *     (sender restarted, peer URL changed) starts a new sequence
     * @param lane the sender's queue (small messages, appends): each has its own sequence
     * @param sequence the batch's number in its lane, from 1
     * @param oldestPending the lowest sequence the sender still had unanswered when it sent
     *     this batch: any lower batch not yet received was given up, do not wait for it
     */
    record BatchOrder(long channel, int lane, long sequence, long oldestPending) {
        static final BatchOrder UNORDERED = new BatchOrder(0, 0, 0, 0);
    }

    /** A decoded batch: its order and its messages. */
    record MessageBatch(BatchOrder order, List<Message> messages) {}

    /** An upper-bound-ish size of {@code message} on the wire, used to bound batches by bytes. */
    public int estimatedSize(Message message) {
        int size = MESSAGE_OVERHEAD + message.from().length() + message.to().length();
        if (message instanceof AppendRequest append) {
            for (LogEntry entry : append.entries()) {
                size += ENTRY_OVERHEAD + entry.payloadSize();
            }
        }
        return size;
    }

    private static void readVersion(BinaryReader in) {
        if (in.remaining() == 0) {
            throw in.malformed(
                    "wire format version",
                    "empty body, expected a wire format version byte" + " (this node supports versions "
                            + SUPPORTED_VERSIONS + ")");
        }
        int version = in.readByte("wire format version");
        if (!SUPPORTED_VERSIONS.contains(version)) {
            throw new UnsupportedWireVersionException(version, SUPPORTED_VERSIONS);
        }
    }

    private static void writeMessage(BinaryWriter out, Message message) {
        Integer tag = TAGS.get(message.getClass());
        if (tag == null) {
            throw new IllegalArgumentException("MessageCodec cannot encode "
                    + message.getClass().getName() + ": give it a type tag in MessageCodec.TAGS");
        }
        out.writeByte(tag);
        out.writeVarString(message.from());
        out.writeVarString(message.to());
        out.writeVarLong(message.generation());
        if (message instanceof AppendRequest m) {
            out.writeVarLong(m.prevIndex());
            out.writeVarLong(m.prevGeneration());
            out.writeVarLong(m.commitIndex());
            out.writeVarLong(m.round());
            out.writeVarLong(m.entries().size());
            for (LogEntry entry : m.entries()) {
                out.writeVarLong(entry.generation());
                out.writeVarLong(entry.index());
                out.writeByte(entry.type().code());
                out.writeVarBytes(entry.payload());
            }
        } else if (message instanceof AppendResponse m) {
            out.writeBoolean(m.success());
            out.writeVarLong(m.matchIndex());
            out.writeVarLong(m.hintIndex());
            out.writeVarLong(m.hintGeneration());
            out.writeVarLong(m.round());
        } else if (message instanceof VoteRequest m) {
            out.writeBoolean(m.preVote());
            out.writeVarLong(m.lastIndex());
            out.writeVarLong(m.lastGeneration());
        } else if (message instanceof VoteResponse m) {
            out.writeBoolean(m.preVote());
            out.writeBoolean(m.granted());
        } else if (message instanceof ReadIndexRequest m) {
            out.writeVarLong(m.requestId());
            out.writeLong(m.incarnation()); // random: a fixed 8 bytes beat a 10-byte varint
        } else if (message instanceof ReadIndexResponse m) {
            out.writeVarLong(m.requestId());
            out.writeLong(m.incarnation());
            out.writeBoolean(m.accepted());
            out.writeVarLong(m.readIndex());
        } else if (message instanceof InstallSnapshot m) {
            // Names the snapshot only: its data travels apart, streamed by the driver.
            out.writeVarLong(m.snapshotIndex());
            out.writeVarLong(m.snapshotGeneration());
        } else if (!(message instanceof TimeoutNow)) {
            throw new IllegalArgumentException("MessageCodec has a tag but no writer for "
                    + message.getClass().getName());
        }
    }

    private static Message readMessage(BinaryReader in) {
        int tag = in.readByte("message type tag");
        if (!TAGS.containsValue(tag)) {
            throw in.malformed(
                    "message type tag",
                    "unknown peer message type tag " + tag + " (this node knows tags "
                            + TAGS.values().stream().sorted().toList() + ")",
                    UPGRADE);
        }
        String from = in.readVarString("from");
        String to = in.readVarString("to");
        long generation = in.readVarLong("generation");
        switch (tag) {
            case APPEND_REQUEST: {
                long prevIndex = in.readVarLong("append request prev index");
                long prevGeneration = in.readVarLong("append request prev generation");
                long commitIndex = in.readVarLong("append request commit index");
                long round = in.readVarLong("append request round");
                int count = in.readVarCount("append request entry count");
                List<LogEntry> entries = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    entries.add(readEntry(in));
                }
                return new AppendRequest(from, to, generation, prevIndex, prevGeneration, entries, commitIndex, round);
            }
            case APPEND_RESPONSE:
                return new AppendResponse(
                        from,
                        to,
                        generation,
                        in.readBoolean("append response success"),
                        in.readVarLong("append response match index"),
                        in.readVarLong("append response hint index"),
                        in.readVarLong("append response hint generation"),
                        in.readVarLong("append response round"));
            case VOTE_REQUEST:
                return new VoteRequest(
                        from,
                        to,
                        generation,
                        in.readBoolean("vote request pre-vote"),
                        in.readVarLong("vote request last index"),
                        in.readVarLong("vote request last generation"));
            case VOTE_RESPONSE:
                return new VoteResponse(
                        from,
                        to,
                        generation,
                        in.readBoolean("vote response pre-vote"),
                        in.readBoolean("vote response granted"));
            case READ_INDEX_REQUEST:
                return new ReadIndexRequest(
                        from,
                        to,
                        generation,
                        in.readVarLong("read index request id"),
                        in.readLong("read index request incarnation"));
            case READ_INDEX_RESPONSE:
                return new ReadIndexResponse(
                        from,
                        to,
                        generation,
                        in.readVarLong("read index response id"),
                        in.readLong("read index response incarnation"),
                        in.readBoolean("read index response accepted"),
                        in.readVarLong("read index response index"));
            case TIMEOUT_NOW:
                return new TimeoutNow(from, to, generation);
            case INSTALL_SNAPSHOT:
                return new InstallSnapshot(
                        from,
                        to,
                        generation,
                        in.readVarLong("install snapshot index"),
                        in.readVarLong("install snapshot generation"));
            default:
                throw new IllegalStateException("MessageCodec has a tag but no reader for " + tag);
        }
    }

    private static LogEntry readEntry(BinaryReader in) {
        int start = in.position();
        long generation = in.readVarLong("entry generation");
        long index = in.readVarLong("entry index");
        int typeCode = in.readByte("entry type");
        EntryType type;
        try {
            type = EntryType.fromCode((byte) typeCode);
        } catch (IllegalArgumentException unknown) {
            throw in.malformed("entry type", "unknown log entry type code " + typeCode + " in a peer append", UPGRADE);
        }
        byte[] payload = in.readVarBytes("entry payload");
        try {
            return new LogEntry(generation, index, type, payload);
        } catch (IllegalArgumentException invalid) {
            throw in.malformed(
                    "entry",
                    "invalid log entry (starting at offset " + start + ") in a peer append: " + invalid.getMessage());
        }
    }
}
