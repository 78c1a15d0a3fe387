package dev.replication.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Appends fields to a growable byte array. Fixed-width numbers are big-endian; variable-length
 * numbers are unsigned LEB128. Lengths come in three widths because the existing layouts use all
 * three: {@link #writeBytes 4 bytes}, {@link #writeVarBytes a variable-length number} and
 * {@link #writeModifiedUtf8 2 bytes} (the last is {@link java.io.DataOutput#writeUTF}'s string).
 */
public final class BinaryWriter {

    private static final int MAX_MODIFIED_UTF8_LENGTH = 0xFFFF;

    private byte[] buffer;
    private int size;

    /** @param expectedSize a hint: the writer grows past it when needed */
    public BinaryWriter(int expectedSize) {
        buffer = new byte[Math.max(16, expectedSize)];
    }

    public BinaryWriter writeByte(int value) {
        ensure(1);
        buffer[size++] = (byte) value;
        return this;
    }

    /** One byte: 1 for true, 0 for false. */
    public BinaryWriter writeBoolean(boolean value) {
        return writeByte(value ? 1 : 0);
    }

    /** Four bytes, big-endian. */
    public BinaryWriter writeInt(int value) {
        ensure(4);
        for (int shift = 24; shift >= 0; shift -= 8) {
            buffer[size++] = (byte) (value >>> shift);
        }
        return this;
    }

    /** Eight bytes, big-endian. */
    public BinaryWriter writeLong(long value) {
        ensure(8);
        for (int shift = 56; shift >= 0; shift -= 8) {
            buffer[size++] = (byte) (value >>> shift);
        }
        return this;
    }

    /**
     * Unsigned LEB128: small non-negative numbers (the common case) take one or two bytes, a
     * negative one takes ten.
     */
    public BinaryWriter writeVarLong(long value) {
        ensure(10);
        while ((value & ~0x7FL) != 0) {
            buffer[size++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buffer[size++] = (byte) value;
        return this;
    }

    /** The bytes prefixed by their length as a four-byte int. */
    public BinaryWriter writeBytes(byte[] value) {
        writeInt(value.length);
        return writeRaw(value);
    }

    /** UTF-8, prefixed by its length as a four-byte int. */
    public BinaryWriter writeString(String value) {
        return writeBytes(value.getBytes(StandardCharsets.UTF_8));
    }

    /** The bytes prefixed by their length as a variable-length number. */
    public BinaryWriter writeVarBytes(byte[] value) {
        writeVarLong(value.length);
        return writeRaw(value);
    }

    /** UTF-8, prefixed by its length as a variable-length number. */
    public BinaryWriter writeVarString(String value) {
        return writeVarBytes(value.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The string exactly as {@link java.io.DataOutput#writeUTF} writes it: a two-byte length, then
     * modified UTF-8 (NUL as two bytes, characters beyond the BMP as two three-byte surrogates).
     *
     * @throws IllegalArgumentException when the encoding is longer than 65535 bytes
     */
    public BinaryWriter writeModifiedUtf8(String value) {
        int length = modifiedUtf8Length(value);
        if (length > MAX_MODIFIED_UTF8_LENGTH) {
            throw new IllegalArgumentException("a string of " + length + " bytes in modified UTF-8 is longer than"
                    + " the " + MAX_MODIFIED_UTF8_LENGTH + " bytes its two-byte length can hold");
        }
        ensure(2 + length);
        buffer[size++] = (byte) (length >>> 8);
        buffer[size++] = (byte) length;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x0001 && c <= 0x007F) {
                buffer[size++] = (byte) c;
            } else if (c <= 0x07FF) {
                buffer[size++] = (byte) (0xC0 | (c >> 6));
                buffer[size++] = (byte) (0x80 | (c & 0x3F));
            } else {
                buffer[size++] = (byte) (0xE0 | (c >> 12));
                buffer[size++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                buffer[size++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        return this;
    }

    /** How many bytes have been written. */
    public int size() {
        return size;
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buffer, size);
    }

    private BinaryWriter writeRaw(byte[] value) {
        ensure(value.length);
        System.arraycopy(value, 0, buffer, size, value.length);
        size += value.length;
        return this;
    }

    private static int modifiedUtf8Length(String value) {
        int length = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            length += c >= 0x0001 && c <= 0x007F ? 1 : c <= 0x07FF ? 2 : 3;
        }
        return length;
    }

    private void ensure(int extra) {
        if (size + extra > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, size + extra));
        }
    }
}
