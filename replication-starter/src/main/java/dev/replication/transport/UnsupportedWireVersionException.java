package dev.replication.transport;

import dev.replication.codec.MalformedEncodingException;
import java.util.Set;

/**
 * A peer message in a wire format version this node does not know, typically sent by a newer
 * node during a rolling upgrade. Carries both versions so the endpoint can report them
 * (in its problem detail) apart from other malformed bodies.
 */
public class UnsupportedWireVersionException extends MalformedEncodingException {

    private final int versionSeen;
    private final Set<Integer> supportedVersions;

    public UnsupportedWireVersionException(int versionSeen, Set<Integer> supportedVersions) {
        super(
                "peer message",
                "wire format version",
                0,
                "peer message uses wire format version " + versionSeen
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
