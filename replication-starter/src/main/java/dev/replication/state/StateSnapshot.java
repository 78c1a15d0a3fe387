package dev.replication.state;

import dev.replication.codec.BinaryReader;
import dev.replication.codec.BinaryWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The binary form of the whole {@link KeyValueStateMachine} state (big-endian): version byte
 * {@value #FORMAT_VERSION}, applied index, log time, the idempotency limits in effect (retention
 * in milliseconds, key limit, session byte limit; zeros before any command), the maps by name (each
 * key with its value, version and timestamp, in key order), then the {@link ClientSessions}.
 */
final class StateSnapshot {

    /** The first byte of every snapshot; a different value is refused. */
    static final byte FORMAT_VERSION = 2;

    /**
     * What a snapshot holds.
     *
     * @param limitsInEffect null before the first command
     */
    record Contents(
            long appliedIndex,
            long lastTimestamp,
            @Nullable IdempotencyLimits limitsInEffect,
            Map<String, NavigableMap<ByteKey, StoredValue>> maps,
            ClientSessions sessions) {}

    private StateSnapshot() {}

    static byte[] write(Contents contents) {
        BinaryWriter writer = new BinaryWriter(1024)
                .writeByte(FORMAT_VERSION)
                .writeLong(contents.appliedIndex())
                .writeLong(contents.lastTimestamp());
        CommandEnvelope.writeLimits(writer, contents.limitsInEffect());
        writer.writeInt(contents.maps().size());
        for (Map.Entry<String, NavigableMap<ByteKey, StoredValue>> map : new TreeMap<>(contents.maps()).entrySet()) {
            writer.writeString(map.getKey()).writeInt(map.getValue().size());
            for (Map.Entry<ByteKey, StoredValue> entry : map.getValue().entrySet()) {
                StoredValue value = entry.getValue();
                writer.writeBytes(entry.getKey().bytes())
                        .writeBytes(value.value())
                        .writeLong(value.version())
                        .writeLong(value.timestamp());
            }
        }
        contents.sessions().writeTo(writer);
        return writer.toByteArray();
    }

    /** @throws IllegalArgumentException when {@code snapshot} is not a valid snapshot */
    static Contents read(byte[] snapshot) {
        BinaryReader reader = StateFormat.reader(snapshot, "state machine snapshot");
        StateFormat.requireVersion(reader, FORMAT_VERSION);
        long appliedIndex = reader.readLong("applied index");
        long lastTimestamp = reader.readLong("last timestamp");
        IdempotencyLimits limits = CommandEnvelope.readLimits(reader);
        Map<String, NavigableMap<ByteKey, StoredValue>> maps = new HashMap<>();
        int mapCount = reader.readInt("map count");
        for (int i = 0; i < mapCount; i++) {
            String name = reader.readString("map name");
            NavigableMap<ByteKey, StoredValue> entries = new TreeMap<>();
            int entryCount = reader.readInt("entry count");
            for (int j = 0; j < entryCount; j++) {
                entries.put(
                        new ByteKey(reader.readBytes("key")),
                        new StoredValue(
                                reader.readBytes("value"),
                                reader.readLong("value version"),
                                reader.readLong("value timestamp")));
            }
            maps.put(name, entries);
        }
        ClientSessions sessions = ClientSessions.readFrom(reader);
        reader.requireEnd();
        return new Contents(appliedIndex, lastTimestamp, limits, maps, sessions);
    }

    /** The applied index a snapshot was taken at. */
    static long indexOf(byte[] snapshot) {
        BinaryReader header = StateFormat.reader(snapshot, "state machine snapshot");
        StateFormat.requireVersion(header, FORMAT_VERSION);
        return header.readLong("applied index");
    }
}
