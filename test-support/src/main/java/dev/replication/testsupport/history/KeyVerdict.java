package dev.replication.testsupport.history;

/** The outcome of checking the sub-history of one key. */
record KeyVerdict(String key, Kind kind, String explanation) {

    enum Kind {
        LINEARIZABLE,
        /** Proven not linearizable. */
        VIOLATION,
        /** The search ran out of budget: neither proven nor refuted. */
        INCONCLUSIVE
    }
}
