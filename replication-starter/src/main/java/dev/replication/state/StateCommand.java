package dev.replication.state;

import dev.replication.codec.BinaryReader;
import dev.replication.codec.BinaryWriter;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A write to one key of one named map: the body of a {@link CommandEnvelope}.
 *
 * <p>Encoding (big-endian): version byte {@value #FORMAT_VERSION}, operation byte, map name,
 * key, then the value for puts and the expected version for conditional operations; the name,
 * key and value are length-prefixed. The encoding of a command is deterministic, so equal
 * commands have equal fingerprints.
 */
public sealed interface StateCommand {

    /** The first byte of every encoded command; a different value is refused. */
    byte FORMAT_VERSION = 1;

    /** The name of the map written. */
    String map();

    /** The key's bytes. */
    byte[] key();

    /** Stores {@code value} unconditionally. */
    record Put(String map, byte[] key, byte[] value) implements StateCommand {
        public Put {
            requireMapAndKey(map, key);
            Objects.requireNonNull(value, "value");
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Put that
                    && map.equals(that.map)
                    && Arrays.equals(key, that.key)
                    && Arrays.equals(value, that.value);
        }

        @Override
        public int hashCode() {
            return Objects.hash(map, Arrays.hashCode(key), Arrays.hashCode(value));
        }

        @Override
        public String toString() {
            return "Put[" + map + "/" + hex(key) + ", " + value.length + "B]";
        }
    }

    /** Stores {@code value} only if the key's version is {@code expectedVersion} (0: absent). */
    record PutIfVersion(String map, byte[] key, byte[] value, long expectedVersion) implements StateCommand {
        public PutIfVersion {
            requireMapAndKey(map, key);
            Objects.requireNonNull(value, "value");
            if (expectedVersion < 0) {
                throw new IllegalArgumentException(
                        "expected version must be >= 0 (0: create only), was " + expectedVersion);
            }
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof PutIfVersion that
                    && map.equals(that.map)
                    && Arrays.equals(key, that.key)
                    && Arrays.equals(value, that.value)
                    && expectedVersion == that.expectedVersion;
        }

        @Override
        public int hashCode() {
            return Objects.hash(map, Arrays.hashCode(key), Arrays.hashCode(value), expectedVersion);
        }

        @Override
        public String toString() {
            return "PutIfVersion[" + map + "/" + hex(key) + ", " + value.length + "B, v" + expectedVersion + "]";
        }
    }

    /** Removes the key if present. */
    record Delete(String map, byte[] key) implements StateCommand {
        public Delete {
            requireMapAndKey(map, key);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Delete that && map.equals(that.map) && Arrays.equals(key, that.key);
        }

        @Override
        public int hashCode() {
            return Objects.hash(map, Arrays.hashCode(key));
        }

        @Override
        public String toString() {
            return "Delete[" + map + "/" + hex(key) + "]";
        }
    }

    /** Removes the key only if its version is {@code expectedVersion} (>= 1). */
    record DeleteIfVersion(String map, byte[] key, long expectedVersion) implements StateCommand {
        public DeleteIfVersion {
            requireMapAndKey(map, key);
            if (expectedVersion < 1) {
                throw new IllegalArgumentException(
                        "expected version of a conditional delete must be >= 1, was " + expectedVersion);
            }
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof DeleteIfVersion that
                    && map.equals(that.map)
                    && Arrays.equals(key, that.key)
                    && expectedVersion == that.expectedVersion;
        }

        @Override
        public int hashCode() {
            return Objects.hash(map, Arrays.hashCode(key), expectedVersion);
        }

        @Override
        public String toString() {
            return "DeleteIfVersion[" + map + "/" + hex(key) + ", v" + expectedVersion + "]";
        }
    }

    /** The command's deterministic binary form. */
    default byte[] encode() {
        BinaryWriter writer = new BinaryWriter(64).writeByte(FORMAT_VERSION);
        if (this instanceof Put put) {
            writer.writeByte(1).writeString(put.map).writeBytes(put.key).writeBytes(put.value);
        } else if (this instanceof PutIfVersion put) {
            writer.writeByte(2)
                    .writeString(put.map)
                    .writeBytes(put.key)
                    .writeBytes(put.value)
                    .writeLong(put.expectedVersion);
        } else if (this instanceof Delete delete) {
            writer.writeByte(3).writeString(delete.map).writeBytes(delete.key);
        } else if (this instanceof DeleteIfVersion delete) {
            writer.writeByte(4).writeString(delete.map).writeBytes(delete.key).writeLong(delete.expectedVersion);
        }
        return writer.toByteArray();
    }

    /** @throws IllegalArgumentException when {@code encoded} is not a valid command */
    static StateCommand decode(byte[] encoded) {
        BinaryReader reader = StateFormat.reader(encoded, "state command");
        StateFormat.requireVersion(reader, FORMAT_VERSION);
        int operation = reader.readByte("operation");
        StateCommand command = switch (operation) {
            case 1 -> new Put(reader.readString("map"), reader.readBytes("key"), reader.readBytes("value"));
            case 2 ->
                new PutIfVersion(
                        reader.readString("map"),
                        reader.readBytes("key"),
                        reader.readBytes("value"),
                        reader.readLong("expected version"));
            case 3 -> new Delete(reader.readString("map"), reader.readBytes("key"));
            case 4 ->
                new DeleteIfVersion(
                        reader.readString("map"), reader.readBytes("key"), reader.readLong("expected version"));
            default -> throw reader.malformed("operation", "unknown operation code " + operation);
        };
        reader.requireEnd();
        return command;
    }

    private static void requireMapAndKey(String map, byte[] key) {
        if (map == null || map.isEmpty()) {
            throw new IllegalArgumentException("a state command needs a non-empty map name");
        }
        Objects.requireNonNull(key, "key");
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes, 0, Math.min(bytes.length, 32));
    }
}
