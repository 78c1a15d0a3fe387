package dev.replication.transport;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Reads what {@link WireWriter} wrote, failing with a {@link WireFormatException} on bad input. */
final class WireReader {

    private final byte[] buffer;
    private int position;

    WireReader(byte[] buffer) {
        this.buffer = buffer;
    }

    int readByte() {
        require(1);
        return buffer[position++] & 0xFF;
    }

    boolean readBoolean() {
        int value = readByte();
        if (value > 1) {
            throw new WireFormatException("corrupt peer message: boolean byte " + value
                    + " at offset " + (position - 1) + "; the sender's codec is incompatible");
        }
        return value == 1;
    }

    long readVarLong() {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte();
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new WireFormatException("corrupt peer message: variable-length number longer than"
                + " 10 bytes at offset " + position + "; the sender's codec is incompatible");
    }

    /** A count or length that must fit what is left of the buffer. */
    int readLength() {
        long length = readVarLong();
        if (length < 0 || length > remaining()) {
            throw new WireFormatException("corrupt peer message: length " + length + " at offset "
                    + position + " exceeds the " + remaining() + " bytes left; the body was"
                    + " truncated or the sender's codec is incompatible");
        }
        return (int) length;
    }

    String readString() {
        return new String(readBytes(), StandardCharsets.UTF_8);
    }

    byte[] readBytes() {
        int length = readLength();
        byte[] value = Arrays.copyOfRange(buffer, position, position + length);
        position += length;
        return value;
    }

    int remaining() {
        return buffer.length - position;
    }

    private void require(int bytes) {
        if (remaining() < bytes) {
            throw new WireFormatException("truncated peer message: needed " + bytes
                    + " more byte(s) at offset " + position + " of " + buffer.length
                    + "; the connection was cut or the sender's codec is incompatible");
        }
    }
}
