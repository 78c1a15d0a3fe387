package dev.replication.core;

/** What a log entry carries; the code is its stable on-disk and on-wire byte. */
public enum EntryType {
    /** Appended by a new leader to commit entries of earlier generations with its own. */
    NOOP((byte) 0),
    /** An application command, applied to the replicated state machine. */
    COMMAND((byte) 1),
    /** A cluster configuration (members) change. */
    CONFIGURATION((byte) 2);

    private final byte code;

    EntryType(byte code) {
        this.code = code;
    }

    public byte code() {
        return code;
    }

    public static EntryType fromCode(byte code) {
        for (EntryType type : values()) {
            if (type.code == code) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown log entry type code " + code);
    }
}
