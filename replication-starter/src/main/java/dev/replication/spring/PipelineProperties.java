package dev.replication.spring;

import org.springframework.util.unit.DataSize;

/** How the leader streams its log to each follower (Request Pipeline). */
public class PipelineProperties {

    /**
     * Append messages in flight per follower before the leader waits for an answer. More
     * hides the latency to a distant follower; fewer bounds the memory (up to
     * max-bytes-per-append each) and what resending after a lost message costs.
     */
    private int maxInflightAppends = 16;

    /**
     * Largest number of log entries in one append message. Larger batches are cheaper per
     * entry but make each message, and a retry of it, slower.
     */
    private int maxEntriesPerAppend = 512;

    /**
     * Largest payload of one append message. Larger batches are cheaper per byte but delay
     * heartbeats queued behind them; a single entry larger than this still travels alone.
     */
    private DataSize maxBytesPerAppend = DataSize.ofMegabytes(1);

    public int getMaxInflightAppends() {
        return maxInflightAppends;
    }

    public void setMaxInflightAppends(int maxInflightAppends) {
        this.maxInflightAppends = maxInflightAppends;
    }

    public int getMaxEntriesPerAppend() {
        return maxEntriesPerAppend;
    }

    public void setMaxEntriesPerAppend(int maxEntriesPerAppend) {
        this.maxEntriesPerAppend = maxEntriesPerAppend;
    }

    public DataSize getMaxBytesPerAppend() {
        return maxBytesPerAppend;
    }

    public void setMaxBytesPerAppend(DataSize maxBytesPerAppend) {
        this.maxBytesPerAppend = maxBytesPerAppend;
    }
}
