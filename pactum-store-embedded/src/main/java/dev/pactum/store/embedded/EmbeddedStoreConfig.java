package dev.pactum.store.embedded;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the embedded store, validated when built.
 *
 * @param directory       where RocksDB keeps its files; only one process can open it at a time
 * @param syncWrites      whether decisions are fsync'd before a write returns. Always true in production; the
 *                        only reason to turn it off is to measure what durability costs.
 * @param groupWindow     how long the writer may hold a group of synced writes open for more to join, when the
 *                        previous group had more than one write (so others are likely on their way). Each extra
 *                        write that joins saves an fsync; zero turns the wait off. At most 10 ms. See
 *                        docs/store-embedded.md for the measurements behind the default.
 * @param interruptedWait how long a caller interrupted while its write is being made keeps waiting for the outcome
 *                        before it is told "unknown" ({@link StoreWriteUnknownException}); 1 ms to 10 minutes
 * @param closeWait       how long {@code close()} waits for writes in flight before it gives up closing the
 *                        database (leaving it to the process exit rather than freeing it under a running write)
 */
public record EmbeddedStoreConfig(Path directory, boolean syncWrites, Duration groupWindow, Duration interruptedWait,
                                  Duration closeWait) {
    public static final Duration DEFAULT_GROUP_WINDOW = Duration.ofMillis(1);
    public static final Duration DEFAULT_INTERRUPTED_WAIT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_CLOSE_WAIT = Duration.ofSeconds(30);

    public EmbeddedStoreConfig {
        Objects.requireNonNull(directory, "directory");
        Objects.requireNonNull(groupWindow, "groupWindow");
        Objects.requireNonNull(interruptedWait, "interruptedWait");
        Objects.requireNonNull(closeWait, "closeWait");
        if (groupWindow.isNegative() || groupWindow.compareTo(Duration.ofMillis(10)) > 0) {
            throw new IllegalArgumentException("groupWindow must be 0 to 10 ms, was " + groupWindow);
        }
        if (interruptedWait.compareTo(Duration.ofMillis(1)) < 0 || interruptedWait.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("interruptedWait must be 1 ms to 10 minutes, was " + interruptedWait);
        }
        if (closeWait.compareTo(Duration.ofMillis(1)) < 0 || closeWait.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("closeWait must be 1 ms to 10 minutes, was " + closeWait);
        }
    }

    /** The production settings: synced writes and the default windows. */
    public static EmbeddedStoreConfig durable(Path directory) {
        return new EmbeddedStoreConfig(directory, true, DEFAULT_GROUP_WINDOW, DEFAULT_INTERRUPTED_WAIT,
                DEFAULT_CLOSE_WAIT);
    }

    public EmbeddedStoreConfig withGroupWindow(Duration window) {
        return new EmbeddedStoreConfig(directory, syncWrites, window, interruptedWait, closeWait);
    }

    public EmbeddedStoreConfig withSyncWrites(boolean sync) {
        return new EmbeddedStoreConfig(directory, sync, groupWindow, interruptedWait, closeWait);
    }
}
