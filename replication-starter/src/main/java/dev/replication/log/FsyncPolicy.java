package dev.replication.log;

/** When the log forces appended records to disk before acknowledging them. */
public enum FsyncPolicy {

    /**
     * Default and the only policy that keeps the consensus safety rules: an append's future
     * completes only after its records were forced to disk (one fsync per batch of appends).
     */
    ALWAYS,

    /**
     * Opt-in: an append's future completes as soon as its records are written (in the page
     * cache), and the writer forces them at most {@link LogOptions#fsyncInterval()} later.
     * Risk: a power loss or kernel crash (not a process crash) can lose acknowledged records of
     * the last interval; a majority of nodes losing power together can then lose committed
     * writes. Use only where that trade is understood (tests, disposable state).
     */
    INTERVAL
}
