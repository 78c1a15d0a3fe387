package dev.replication.codec;

/**
 * Bytes that are not a valid encoding of what they claim to be: truncated, corrupt, or written by
 * a release with another layout. The message names the format, the field and its offset.
 *
 * <p>An {@link IllegalArgumentException}, because that is what callers already catch for input
 * they cannot decode.
 */
public class MalformedEncodingException extends IllegalArgumentException {

    private final String format;
    private final String field;
    private final int offset;

    /**
     * @param format what was being decoded, e.g. "peer message"
     * @param field the field that could not be read
     * @param offset where that field starts
     * @param message the whole message, saying what was wrong and what to do
     */
    public MalformedEncodingException(String format, String field, int offset, String message) {
        super(message);
        this.format = format;
        this.field = field;
        this.offset = offset;
    }

    /** What was being decoded, e.g. "peer message" or "command envelope". */
    public String format() {
        return format;
    }

    /** The field that could not be read. */
    public String field() {
        return field;
    }

    /** The offset in the input where that field starts. */
    public int offset() {
        return offset;
    }
}
