package dev.pactum.core.spi;

/**
 * Counts of what a store has written since it opened, for metrics and the benchmark (fsyncs per committed
 * transaction). Monotonic; read them twice and subtract to measure a window.
 *
 * @param writes       store operations that changed something (each one atomic write: begin, a branch, a CAS...)
 * @param syncedWrites of those, the ones that had to be on disk before they returned
 * @param writeGroups  writes handed to the storage engine; a group carries one or more operations
 * @param fsyncs       groups forced to disk: what durability costs, shared by every synced write in the group
 */
public record StoreStats(long writes, long syncedWrites, long writeGroups, long fsyncs) {
}
