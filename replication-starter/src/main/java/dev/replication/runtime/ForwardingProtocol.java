package dev.replication.runtime;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

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

    private ForwardingProtocol() {
    }

    /** The leader's answer to a forwarded command. */
    sealed interface Answer {
        record Applied(long index, byte[] result) implements Answer {
        }

        record NotApplied(String leaderId, String reason) implements Answer {
        }

        record OutcomeUnknown(String reason) implements Answer {
        }
    }

    /**
     * A batch of commands forwarded together (one peer request for everything a follower
     * received in one turn of its update queue).
     *
     * @param envelopes the unstamped command envelopes (the leader stamps them)
     */
    static byte[] encodeCommands(List<byte[]> envelopes, long timeoutMillis) {
        return write(out -> {
            out.writeLong(timeoutMillis);
            out.writeInt(envelopes.size());
            for (byte[] envelope : envelopes) {
                out.writeInt(envelope.length);
                out.write(envelope);
            }
        });
    }

    record ForwardedCommands(List<byte[]> envelopes, long timeoutMillis) {
    }

    static ForwardedCommands decodeCommands(byte[] bytes) {
        return read(bytes, in -> {
            long timeoutMillis = in.readLong();
            int count = in.readInt();
            if (count < 0 || count > MAX_BATCH) {
                throw new IOException("a batch of " + count + " forwarded commands (at most " + MAX_BATCH + ")");
            }
            List<byte[]> envelopes = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                byte[] envelope = new byte[in.readInt()];
                in.readFully(envelope);
                envelopes.add(envelope);
            }
            return new ForwardedCommands(envelopes, timeoutMillis);
        });
    }

    /** One answer per forwarded command, in the order of the batch. */
    static byte[] encodeAnswers(List<Answer> answers) {
        return write(out -> {
            out.writeInt(answers.size());
            for (Answer answer : answers) {
                writeAnswer(out, answer);
            }
        });
    }

    static List<Answer> decodeAnswers(byte[] bytes) {
        return read(bytes, in -> {
            int count = in.readInt();
            if (count < 0 || count > MAX_BATCH) {
                throw new IOException("a batch of " + count + " answers (at most " + MAX_BATCH + ")");
            }
            List<Answer> answers = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                answers.add(readAnswer(in));
            }
            return answers;
        });
    }

    private static void writeAnswer(DataOutputStream out, Answer answer) throws IOException {
        if (answer instanceof Answer.Applied applied) {
            out.writeByte(APPLIED);
            out.writeLong(applied.index());
            out.writeInt(applied.result().length);
            out.write(applied.result());
        } else if (answer instanceof Answer.NotApplied notApplied) {
            out.writeByte(NOT_APPLIED);
            out.writeBoolean(notApplied.leaderId() != null);
            if (notApplied.leaderId() != null) {
                out.writeUTF(notApplied.leaderId());
            }
            out.writeUTF(notApplied.reason());
        } else {
            out.writeByte(OUTCOME_UNKNOWN);
            out.writeUTF(((Answer.OutcomeUnknown) answer).reason());
        }
    }

    private static Answer readAnswer(DataInputStream in) throws IOException {
        byte kind = in.readByte();
        switch (kind) {
            case APPLIED: {
                long index = in.readLong();
                byte[] result = new byte[in.readInt()];
                in.readFully(result);
                return new Answer.Applied(index, result);
            }
            case NOT_APPLIED: {
                String leaderId = in.readBoolean() ? in.readUTF() : null;
                return new Answer.NotApplied(leaderId, in.readUTF());
            }
            case OUTCOME_UNKNOWN:
                return new Answer.OutcomeUnknown(in.readUTF());
            default:
                throw new IOException("unknown forwarding answer kind " + kind);
        }
    }

    private interface Writer {
        void write(DataOutputStream out) throws IOException;
    }

    private interface Reader<T> {
        T read(DataInputStream in) throws IOException;
    }

    private static byte[] write(Writer writer) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            writer.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static <T> T read(byte[] bytes, Reader<T> reader) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            byte version = in.readByte();
            if (version != VERSION) {
                throw new IllegalArgumentException("forwarding protocol version " + version
                        + " is not supported (this node speaks version " + VERSION
                        + "); run the same release on every node");
            }
            return reader.read(in);
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed forwarding message: " + e.getMessage(), e);
        }
    }
}
