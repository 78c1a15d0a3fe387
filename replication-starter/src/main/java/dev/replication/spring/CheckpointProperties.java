package dev.replication.spring;

import org.springframework.util.unit.DataSize;

/**
 * Checkpoints of the replicated state (in an embedded H2 database under the data directory) and
 * the log compaction they allow (Low-Water Mark). A node restarts from its newest checkpoint and
 * replays only the log after it; a follower too far behind receives a snapshot instead of the
 * entries. Every node decides its own checkpoints: the values may differ between nodes.
 */
public class CheckpointProperties {

    /**
     * Whether to checkpoint and compact the log. Off, the log keeps every entry and each start
     * replays it from the first; a follower that needs entries another node compacted can then
     * still be sent a snapshot only by nodes that checkpoint.
     */
    private boolean enabled = true;

    /**
     * A checkpoint starts once this many entries were applied since the previous one (etcd's
     * snapshot count is 100,000). Lower means shorter restarts and a smaller log for more
     * checkpoint work; each checkpoint writes only what changed since the previous one.
     */
    private long everyEntries = 100_000;

    /** Or once this many bytes of entries were applied since the previous one. */
    private DataSize everyBytes = DataSize.ofMegabytes(256);

    /**
     * Entries kept in the log below a checkpoint, so a follower a little behind catches up from
     * the log rather than by a snapshot. Whole segments are deleted, so up to a segment more stays.
     */
    private long logMarginEntries = 10_000;

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public long getEveryEntries() {
        return everyEntries;
    }

    public void setEveryEntries(long everyEntries) {
        this.everyEntries = everyEntries;
    }

    public DataSize getEveryBytes() {
        return everyBytes;
    }

    public void setEveryBytes(DataSize everyBytes) {
        this.everyBytes = everyBytes;
    }

    public long getLogMarginEntries() {
        return logMarginEntries;
    }

    public void setLogMarginEntries(long logMarginEntries) {
        this.logMarginEntries = logMarginEntries;
    }
}
