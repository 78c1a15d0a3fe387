package dev.replication.runtime;

import dev.replication.codec.BinaryReader;
import dev.replication.codec.BinaryWriter;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The bodies of the peer call a follower makes to forward a client's command to the leader,
 * and of the leader's answer. Compact binary with a version byte, like the message codec.
 *
 * <p>The answer says which of three things happened, because the follower must tell its
 * caller the truth: applied (with the log index, so the follower can wait until it has applied
 * it too), certainly not appended (safe to retry elsewhere), or outcome unknown.
 */
final class ForwardingProtocol {

    static final String PROPOSE = "propose";

    private static final byte VERSION = 1;
    /** More than one update-queue batch could hold; anything larger is malformed. */
    private static final int MAX_BATCH = 100_000;

    private static final byte APPLIED = 0;
    private static final byte NOT_APPLIED = 1;
    private static final byte OUTCOME_UNKNOWN = 2;
    private static final String REMEDY = "run the same release on every node";

    private ForwardingProtocol() {}

    /** The leader's answer to a forwarded command. */
    sealed interface Answer {
        record Applied(long index, byte[] result) implements Answer {}

        record NotApplied(@Nullable String leaderId, String reason) implements Answer {}

        record OutcomeUnknown(String reason) implements Answer {}
    }

    /**
     * A batch of commands forwarded together (one peer request for everything a follower
     * received in one turn of its update queue).
     *
     * @param envelopes the unstamped command envelopes (the leader stamps them)
     */
    static byte[] encodeCommands(List<byte[]> envelopes, long timeoutMillis) {
        int size = 1 + 8 + 4;
        for (byte[] envelope : envelopes) {
            size += 4 + envelope.length;
        }
        BinaryWriter out = new BinaryWriter(size)
                .writeByte(VERSION)
                .writeLong(timeoutMillis)
                .writeInt(envelopes.size());
        for (byte[] envelope : envelopes) {
            out.writeBytes(envelope);
        }
        return out.toByteArray();
    }

    record ForwardedCommands(List<byte[]> envelopes, long timeoutMillis) {}

    static ForwardedCommands decodeCommands(byte[] bytes) {
        BinaryReader in = reader(bytes, "forwarded commands");
        long timeoutMillis = in.readLong("timeout");
        int count = readCount(in, "command count");
        List<byte[]> envelopes = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            envelopes.add(in.readBytes("command envelope"));
        }
        return new ForwardedCommands(envelopes, timeoutMillis);
    }

    /** One answer per forwarded command, in the order of the batch. */
    static byte[] encodeAnswers(List<Answer> answers) {
        BinaryWriter out = new BinaryWriter(64).writeByte(VERSION).writeInt(answers.size());
        for (Answer answer : answers) {
            writeAnswer(out, answer);
        }
        return out.toByteArray();
    }

    static List<Answer> decodeAnswers(byte[] bytes) {
        BinaryReader in = reader(bytes, "forwarding answers");
        int count = readCount(in, "answer count");
        List<Answer> answers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            answers.add(readAnswer(in));
        }
        return answers;
    }

    /** Reasons and leader ids are DataOutput strings (two-byte length, modified UTF-8): the layout of version 1. */
    private static void writeAnswer(BinaryWriter out, Answer answer) {
        if (answer instanceof Answer.Applied applied) {
            out.writeByte(APPLIED).writeLong(applied.index()).writeBytes(applied.result());
        } else if (answer instanceof Answer.NotApplied notApplied) {
            out.writeByte(NOT_APPLIED).writeBoolean(notApplied.leaderId() != null);
            if (notApplied.leaderId() != null) {
                out.writeModifiedUtf8(notApplied.leaderId());
            }
            out.writeModifiedUtf8(notApplied.reason());
        } else {
            out.writeByte(OUTCOME_UNKNOWN).writeModifiedUtf8(((Answer.OutcomeUnknown) answer).reason());
        }
    }

    private static Answer readAnswer(BinaryReader in) {
        int kind = in.readByte("answer kind");
        switch (kind) {
            case APPLIED:
                return new Answer.Applied(in.readLong("applied index"), in.readBytes("applied result"));
            case NOT_APPLIED: {
                String leaderId = in.readBoolean("leader known") ? in.readModifiedUtf8("leader id") : null;
                return new Answer.NotApplied(leaderId, in.readModifiedUtf8("not applied reason"));
            }
            case OUTCOME_UNKNOWN:
                return new Answer.OutcomeUnknown(in.readModifiedUtf8("outcome unknown reason"));
            default:
                throw in.malformed("answer kind", "unknown forwarding answer kind " + kind);
        }
    }

    private static BinaryReader reader(byte[] bytes, String format) {
        BinaryReader in = new BinaryReader(bytes, format, REMEDY);
        int version = in.readByte("version");
        if (version != VERSION) {
            throw in.malformed(
                    "version",
                    "forwarding protocol version " + version + " is not supported (this node speaks version " + VERSION
                            + ")");
        }
        return in;
    }

    private static int readCount(BinaryReader in, String field) {
        int count = in.readInt(field);
        if (count < 0 || count > MAX_BATCH) {
            throw in.malformed(field, field + " " + count + " is outside 0.." + MAX_BATCH);
        }
        return count;
    }
}
