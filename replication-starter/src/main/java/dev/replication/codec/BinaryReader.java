package dev.replication.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads what {@link BinaryWriter} wrote, one named field at a time. Every length is checked
 * against the bytes left, so corrupt or truncated input fails with a
 * {@link MalformedEncodingException} such as "malformed peer message: entry payload length 9000
 * exceeds the 12 bytes left at offset 31 of 43 bytes; ..." instead of allocating garbage.
 */
public final class BinaryReader {

    private static final int MAX_VAR_LONG_BYTES = 10;

    private final byte[] bytes;
    private final String format;
    private final String remedy;
    private int position;
    /** Where the field read last starts: where an owner's complaint about its value points. */
    private int fieldStart;

    /**
     * @param bytes the input; not copied, and not to be modified while reading
     * @param format what the input is, for messages: "malformed {format}: ..."
     * @param remedy what an operator should do about malformed input of this format, ending
     *     every message
     */
    public BinaryReader(byte[] bytes, String format, String remedy) {
        this.bytes = bytes;
        this.format = format;
        this.remedy = remedy;
    }

    /** One byte as an unsigned value, 0 to 255. */
    public int readByte(String field) {
        fieldStart = position;
        require(field, 1);
        return bytes[position++] & 0xFF;
    }

    /** One byte that must be 0 (false) or 1 (true). */
    public boolean readBoolean(String field) {
        int start = position;
        int value = readByte(field);
        if (value > 1) {
            throw malformedAt(start, field, field + " is byte " + value + ", not a boolean (0 or 1)", remedy);
        }
        return value == 1;
    }

    /** Four bytes, big-endian. */
    public int readInt(String field) {
        fieldStart = position;
        require(field, 4);
        int value = 0;
        for (int i = 0; i < 4; i++) {
            value = (value << 8) | (bytes[position++] & 0xFF);
        }
        return value;
    }

    /** Eight bytes, big-endian. */
    public long readLong(String field) {
        fieldStart = position;
        require(field, 8);
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (bytes[position++] & 0xFF);
        }
        return value;
    }

    /** An unsigned LEB128 number of at most ten bytes. */
    public long readVarLong(String field) {
        int start = position;
        fieldStart = start;
        long result = 0;
        for (int shift = 0; shift < 7 * MAX_VAR_LONG_BYTES; shift += 7) {
            require(field, 1);
            int b = bytes[position++] & 0xFF;
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw malformedAt(
                start,
                field,
                field + " is a variable-length number longer than " + MAX_VAR_LONG_BYTES + " bytes",
                remedy);
    }

    /**
     * A variable-length count of items that each take at least one byte, so it cannot exceed the
     * bytes left: a corrupt count fails here instead of sizing a huge list.
     */
    public int readVarCount(String field) {
        int start = position;
        long count = readVarLong(field);
        if (count < 0 || count > remaining()) {
            throw malformedAt(
                    start,
                    field,
                    field + " " + Long.toUnsignedString(count) + " exceeds the " + remaining() + " bytes left",
                    remedy);
        }
        return (int) count;
    }

    /** Bytes prefixed by their length as a four-byte int, as {@link BinaryWriter#writeBytes} wrote them. */
    public byte[] readBytes(String field) {
        int start = position;
        int length = readInt(field + " length");
        return readPayload(start, field, length);
    }

    /** UTF-8 prefixed by its length as a four-byte int. */
    public String readString(String field) {
        return new String(readBytes(field), StandardCharsets.UTF_8);
    }

    /** Bytes prefixed by their length as a variable-length number. */
    public byte[] readVarBytes(String field) {
        int start = position;
        long length = readVarLong(field + " length");
        if (length > Integer.MAX_VALUE || length < 0) {
            throw malformedAt(
                    start,
                    field,
                    field + " length " + Long.toUnsignedString(length) + " exceeds the " + remaining() + " bytes left",
                    remedy);
        }
        return readPayload(start, field, (int) length);
    }

    /** UTF-8 prefixed by its length as a variable-length number. */
    public String readVarString(String field) {
        return new String(readVarBytes(field), StandardCharsets.UTF_8);
    }

    /**
     * A string as {@link java.io.DataInput#readUTF} reads it: a two-byte length, then modified
     * UTF-8. Accepts exactly what {@code readUTF} accepts.
     */
    public String readModifiedUtf8(String field) {
        int start = position;
        fieldStart = start;
        require(field + " length", 2);
        int length = ((bytes[position] & 0xFF) << 8) | (bytes[position + 1] & 0xFF);
        position += 2;
        byte[] encoded = readPayload(start, field, length);
        char[] chars = new char[length];
        int count = 0;
        int i = 0;
        while (i < length) {
            int b = encoded[i] & 0xFF;
            switch (b >> 4) {
                case 0:
                case 1:
                case 2:
                case 3:
                case 4:
                case 5:
                case 6:
                case 7:
                    chars[count++] = (char) b;
                    i++;
                    break;
                case 12:
                case 13:
                    if (i + 2 > length || (encoded[i + 1] & 0xC0) != 0x80) {
                        throw badModifiedUtf8(start, field, i);
                    }
                    chars[count++] = (char) (((b & 0x1F) << 6) | (encoded[i + 1] & 0x3F));
                    i += 2;
                    break;
                case 14:
                    if (i + 3 > length || (encoded[i + 1] & 0xC0) != 0x80 || (encoded[i + 2] & 0xC0) != 0x80) {
                        throw badModifiedUtf8(start, field, i);
                    }
                    chars[count++] =
                            (char) (((b & 0x0F) << 12) | ((encoded[i + 1] & 0x3F) << 6) | (encoded[i + 2] & 0x3F));
                    i += 3;
                    break;
                default:
                    throw badModifiedUtf8(start, field, i);
            }
        }
        return new String(chars, 0, count);
    }

    /** Fails unless every byte has been read: trailing bytes mean another layout. */
    public void requireEnd() {
        if (remaining() != 0) {
            throw malformedAt(position, "end", remaining() + " unexpected byte(s) after the last field", remedy);
        }
    }

    /** How many bytes are left to read. */
    public int remaining() {
        return bytes.length - position;
    }

    /** The offset of the next byte to read. */
    public int position() {
        return position;
    }

    /**
     * A failure for a value the format's owner found invalid (an unknown tag, a bad version),
     * reported at the start of the field read last, with this reader's remedy.
     *
     * @param problem what is wrong, naming the field, e.g. "unknown operation code 9"
     */
    public MalformedEncodingException malformed(String field, String problem) {
        return malformedAt(fieldStart, field, problem, remedy);
    }

    /** As {@link #malformed(String, String)}, with a remedy of its own for this problem. */
    public MalformedEncodingException malformed(String field, String problem, String specificRemedy) {
        return malformedAt(fieldStart, field, problem, specificRemedy);
    }

    private byte[] readPayload(int start, String field, int length) {
        if (length < 0) {
            throw malformedAt(start, field, field + " length " + length + " is negative", remedy);
        }
        if (length > remaining()) {
            throw malformedAt(
                    start, field, field + " length " + length + " exceeds the " + remaining() + " bytes left", remedy);
        }
        byte[] value = Arrays.copyOfRange(bytes, position, position + length);
        position += length;
        return value;
    }

    private MalformedEncodingException badModifiedUtf8(int start, String field, int index) {
        return malformedAt(
                start, field, field + " is not valid modified UTF-8 (byte " + index + " of the string)", remedy);
    }

    private void require(String field, int count) {
        if (remaining() < count) {
            throw malformedAt(
                    fieldStart,
                    field,
                    field + " needs " + count + " byte(s) but only " + remaining() + " are left",
                    remedy);
        }
    }

    private MalformedEncodingException malformedAt(int offset, String field, String problem, String why) {
        return new MalformedEncodingException(
                format,
                field,
                offset,
                "malformed " + format + ": " + problem + " at offset " + offset + " of " + bytes.length + " bytes; "
                        + why);
    }
}
