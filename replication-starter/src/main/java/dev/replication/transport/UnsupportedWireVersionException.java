package dev.replication.transport;

import java.util.Set;

/**
 * A peer message in a wire format version this node does not know, typically sent by a newer
 * node during a rolling upgrade.
 */
public class UnsupportedWireVersionException extends WireFormatException {

    private final int versionSeen;
    private final Set<Integer> supportedVersions;

    public UnsupportedWireVersionException(int versionSeen, Set<Integer> supportedVersions) {
        super("peer message uses wire format version " + versionSeen
                + " but this node supports versions " + supportedVersions
                + "; upgrade this node or run the sender with a version this node knows");
        this.versionSeen = versionSeen;
        this.supportedVersions = Set.copyOf(supportedVersions);
    }

    public int versionSeen() {
        return versionSeen;
    }

    public Set<Integer> supportedVersions() {
        return supportedVersions;
    }
}
