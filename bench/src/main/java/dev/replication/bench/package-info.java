/**
 * JMH benchmarks, run by hand with {@code bench/run-wal} (profile {@code bench}), never in
 * {@code verify}: durable write-ahead log appends and the raw write + fsync probe of the same
 * disk. Figures go to {@code docs/PERFORMANCE.md}.
 */
package dev.replication.bench;
