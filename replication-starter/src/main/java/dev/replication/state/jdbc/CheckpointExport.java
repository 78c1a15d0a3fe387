package dev.replication.state.jdbc;

import dev.replication.state.CheckpointHeader;
import dev.replication.state.CheckpointSink;
import dev.replication.state.IdempotencyAnswer;
import dev.replication.state.IdempotencyLimits;
import dev.replication.state.SessionImage;
import dev.replication.state.StoredValue;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;

/**
 * The export format of a whole checkpoint, for a snapshot sent to a follower or a backup;
 * self-describing and checksummed, big-endian:
 *
 * <pre>
 * magic "REPLCKPT", format version (int) {@value #FORMAT_VERSION}
 * 'H' header: applied index, applied generation, log time, limits (flag; retention ms, key bound,
 *     session byte bound), evicted key count, configuration (flag; index, payload)
 * 'V' value:  map name, key, value, version, timestamp            (any number, keys in order)
 * 'S' session: client id, last active, first retained, touch order, answers
 * 'I' idempotency answer: digest (2 longs), fingerprint, status, version, timestamp,
 *     previous version, applied-at                                (oldest first)
 * 'E' end: the number of values, sessions and answers
 * CRC32C (long) of every byte before it
 * </pre>
 *
 * Strings and byte arrays are an int length and the bytes. A reader hands records to its sink as
 * it reads them, so an importer must keep them in a transaction it rolls back when {@link #read}
 * throws: the checksum is only known at the end.
 */
final class CheckpointExport {

    static final int FORMAT_VERSION = 1;

    private static final byte[] MAGIC = "REPLCKPT".getBytes(StandardCharsets.US_ASCII);
    // Larger than any value the starter accepts: a length beyond it is corruption, not data.
    private static final int MAX_FIELD_BYTES = 256 * 1024 * 1024;

    private CheckpointExport() {}

    /** A sink that writes what it is given as an export; {@link #finish} ends it. */
    static final class Writer implements CheckpointSink {
        private final CRC32C crc = new CRC32C();
        private final BufferedOutputStream buffered;
        private final DataOutputStream out;
        private long values;
        private long sessions;
        private long answers;

        Writer(OutputStream target) throws IOException {
            buffered = new BufferedOutputStream(target, 64 * 1024);
            out = new DataOutputStream(new CheckedOutputStream(buffered, crc));
            out.write(MAGIC);
            out.writeInt(FORMAT_VERSION);
        }

        @Override
        public void header(CheckpointHeader header) {
            write(() -> {
                out.writeByte('H');
                out.writeLong(header.appliedIndex());
                out.writeLong(header.appliedGeneration());
                out.writeLong(header.lastTimestamp());
                IdempotencyLimits limits = header.limitsInEffect();
                out.writeBoolean(limits != null);
                if (limits != null) {
                    out.writeLong(limits.retention().toMillis());
                    out.writeInt(limits.maxIdempotencyKeys());
                    out.writeLong(limits.maxSessionBytes());
                }
                out.writeLong(header.evictedIdempotencyKeys());
                CheckpointHeader.Configuration configuration = header.configuration();
                out.writeBoolean(configuration != null);
                if (configuration != null) {
                    out.writeLong(configuration.index());
                    writeBytes(configuration.payload());
                }
            });
        }

        @Override
        public void value(String map, byte[] key, StoredValue value) {
            write(() -> {
                out.writeByte('V');
                writeBytes(map.getBytes(StandardCharsets.UTF_8));
                writeBytes(key);
                writeBytes(value.value());
                out.writeLong(value.version());
                out.writeLong(value.timestamp());
                values++;
            });
        }

        @Override
        public void session(SessionImage session) {
            write(() -> {
                out.writeByte('S');
                writeBytes(session.clientId().getBytes(StandardCharsets.UTF_8));
                out.writeLong(session.lastActiveMillis());
                out.writeLong(session.firstRetained());
                out.writeLong(session.touchOrder());
                writeBytes(CheckpointRows.encodeAnswers(session.answers()));
                sessions++;
            });
        }

        @Override
        public void idempotencyAnswer(IdempotencyAnswer answer) {
            write(() -> {
                out.writeByte('I');
                out.writeLong(answer.digest().high());
                out.writeLong(answer.digest().low());
                out.writeLong(answer.fingerprint());
                out.writeInt(answer.status());
                out.writeLong(answer.version());
                out.writeLong(answer.timestamp());
                out.writeLong(answer.beforeVersion());
                out.writeLong(answer.appliedAtMillis());
                answers++;
            });
        }

        /** Writes the end record and the checksum, and flushes (the target stays open). */
        void finish() throws IOException {
            out.writeByte('E');
            out.writeLong(values);
            out.writeLong(sessions);
            out.writeLong(answers);
            out.flush();
            new DataOutputStream(buffered).writeLong(crc.getValue());
            buffered.flush();
        }

        private void writeBytes(byte[] bytes) throws IOException {
            out.writeInt(bytes.length);
            out.write(bytes);
        }

        private void write(IoAction action) {
            try {
                action.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private interface IoAction {
        void run() throws IOException;
    }

    /**
     * Reads a whole export into {@code sink}, the header first.
     *
     * @throws IOException when the stream is not an export of this format, is truncated, has bytes
     *     after its end, or fails its checksum
     */
    static void read(InputStream source, CheckpointSink sink) throws IOException {
        CRC32C crc = new CRC32C();
        BufferedInputStream buffered = new BufferedInputStream(source, 64 * 1024);
        DataInputStream in = new DataInputStream(new CheckedInputStream(buffered, crc));
        try {
            byte[] magic = new byte[MAGIC.length];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException("not a checkpoint export: it does not start with REPLCKPT");
            }
            int version = in.readInt();
            if (version != FORMAT_VERSION) {
                throw new IOException("checkpoint export format " + version + ", this release reads only "
                        + FORMAT_VERSION + ": import it with the release that exported it");
            }
            if (in.readByte() != 'H') {
                throw new IOException("corrupt checkpoint export: it does not begin with its header");
            }
            sink.header(readHeader(in));
            long[] counted = new long[3];
            int tag;
            while ((tag = in.readByte()) != 'E') {
                readRecord(tag, in, sink, counted);
            }
            long[] declared = {in.readLong(), in.readLong(), in.readLong()};
            long expected = crc.getValue();
            long stored = new DataInputStream(buffered).readLong();
            if (stored != expected) {
                throw new IOException("corrupt checkpoint export: its checksum does not match its contents");
            }
            if (!Arrays.equals(declared, counted)) {
                throw new IOException("corrupt checkpoint export: it declares " + Arrays.toString(declared)
                        + " values, sessions and answers but holds " + Arrays.toString(counted));
            }
            if (buffered.read() != -1) {
                throw new IOException("corrupt checkpoint export: bytes follow its checksum");
            }
        } catch (EOFException e) {
            throw new IOException("truncated checkpoint export: it ends before its checksum", e);
        } catch (IllegalArgumentException e) {
            throw new IOException("corrupt checkpoint export: " + e.getMessage(), e);
        }
    }

    private static void readRecord(int tag, DataInputStream in, CheckpointSink sink, long[] counted)
            throws IOException {
        switch (tag) {
            case 'V' -> {
                String map = new String(readBytes(in), StandardCharsets.UTF_8);
                byte[] key = readBytes(in);
                byte[] value = readBytes(in);
                sink.value(map, key, new StoredValue(value, in.readLong(), in.readLong()));
                counted[0]++;
            }
            case 'S' -> {
                String clientId = new String(readBytes(in), StandardCharsets.UTF_8);
                long lastActive = in.readLong();
                long firstRetained = in.readLong();
                long touchOrder = in.readLong();
                sink.session(new SessionImage(
                        clientId, lastActive, firstRetained, touchOrder, CheckpointRows.decodeAnswers(readBytes(in))));
                counted[1]++;
            }
            case 'I' -> {
                IdempotencyAnswer.Digest digest = new IdempotencyAnswer.Digest(in.readLong(), in.readLong());
                sink.idempotencyAnswer(new IdempotencyAnswer(
                        digest,
                        in.readLong(),
                        in.readInt(),
                        in.readLong(),
                        in.readLong(),
                        in.readLong(),
                        in.readLong()));
                counted[2]++;
            }
            default -> throw new IOException("corrupt checkpoint export: unknown record type " + tag);
        }
    }

    private static CheckpointHeader readHeader(DataInputStream in) throws IOException {
        long appliedIndex = in.readLong();
        long appliedGeneration = in.readLong();
        long lastTimestamp = in.readLong();
        IdempotencyLimits limits = null;
        if (in.readBoolean()) {
            limits = new IdempotencyLimits(Duration.ofMillis(in.readLong()), in.readInt(), in.readLong());
        }
        long evicted = in.readLong();
        CheckpointHeader.Configuration configuration = null;
        if (in.readBoolean()) {
            configuration = new CheckpointHeader.Configuration(in.readLong(), readBytes(in));
        }
        return new CheckpointHeader(appliedIndex, appliedGeneration, lastTimestamp, limits, evicted, configuration);
    }

    private static byte[] readBytes(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_FIELD_BYTES) {
            throw new IOException("corrupt checkpoint export: a field of " + length + " bytes");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return bytes;
    }
}
