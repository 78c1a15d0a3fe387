package dev.replication.state;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads what {@link WireWriter} wrote. Every length is checked against the bytes left, so a
 * corrupt or truncated record fails with a clear {@link IllegalArgumentException} instead of
 * allocating garbage.
 */
final class WireReader {

    private final byte[] bytes;
    private final String what;
    private int position;

    WireReader(byte[] bytes, String what) {
        this.bytes = bytes;
        this.what = what;
    }

    int readByte() {
        require(1);
        return bytes[position++] & 0xFF;
    }

    long readLong() {
        require(8);
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (bytes[position++] & 0xFF);
        }
        return value;
    }

    int readInt() {
        require(4);
        int value = 0;
        for (int i = 0; i < 4; i++) {
            value = (value << 8) | (bytes[position++] & 0xFF);
        }
        return value;
    }

    byte[] readBytes() {
        int length = readInt();
        if (length < 0) {
            throw malformed("negative length " + length);
        }
        require(length);
        byte[] result = Arrays.copyOfRange(bytes, position, position + length);
        position += length;
        return result;
    }

    String readString() {
        return new String(readBytes(), StandardCharsets.UTF_8);
    }

    void requireEnd() {
        if (position != bytes.length) {
            throw malformed((bytes.length - position) + " unexpected trailing bytes");
        }
    }

    IllegalArgumentException malformed(String detail) {
        return new IllegalArgumentException("malformed " + what + ": " + detail
                + " (at byte " + position + " of " + bytes.length + "); it was written by another release"
                + " or is corrupt: run the same release on every node, and check the disk and log integrity");
    }

    private void require(int count) {
        if (bytes.length - position < count) {
            throw malformed("needs " + count + " more bytes, has " + (bytes.length - position));
        }
    }
}
