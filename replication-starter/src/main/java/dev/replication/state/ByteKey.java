package dev.replication.state;

import java.util.Arrays;

/** A key's bytes, ordered unsigned-lexicographically so that prefixes sort before extensions. */
record ByteKey(byte[] bytes) implements Comparable<ByteKey> {

    @Override
    public int compareTo(ByteKey other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ByteKey that && Arrays.equals(bytes, that.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }
}
