package dev.replication.transport;

/** A peer message body this node cannot decode: truncated, corrupt or of an unknown type. */
public class WireFormatException extends RuntimeException {

    public WireFormatException(String message) {
        super(message);
    }
}
