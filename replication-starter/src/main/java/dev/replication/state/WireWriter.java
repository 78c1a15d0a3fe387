package dev.replication.state;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Big-endian, length-prefixed binary writing shared by this package's codecs. */
final class WireWriter {

    private final ByteArrayOutputStream out;

    WireWriter(int expectedSize) {
        this.out = new ByteArrayOutputStream(expectedSize);
    }

    WireWriter writeByte(int value) {
        out.write(value);
        return this;
    }

    WireWriter writeLong(long value) {
        for (int shift = 56; shift >= 0; shift -= 8) {
            out.write((int) (value >>> shift));
        }
        return this;
    }

    WireWriter writeInt(int value) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            out.write(value >>> shift);
        }
        return this;
    }

    WireWriter writeBytes(byte[] bytes) {
        writeInt(bytes.length);
        out.writeBytes(bytes);
        return this;
    }

    WireWriter writeString(String value) {
        return writeBytes(value.getBytes(StandardCharsets.UTF_8));
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
