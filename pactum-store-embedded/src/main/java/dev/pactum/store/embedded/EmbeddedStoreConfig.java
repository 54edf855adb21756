package dev.pactum.store.embedded;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Settings of the embedded store.
 *
 * @param directory where RocksDB keeps its files; only one process can open it at a time
 * @param syncWrites whether decisions are fsync'd before a write returns. Always true in production; the
 *                   only reason to turn it off is to measure what durability costs.
 */
public record EmbeddedStoreConfig(Path directory, boolean syncWrites) {
    public EmbeddedStoreConfig {
        Objects.requireNonNull(directory, "directory");
    }

    public static EmbeddedStoreConfig durable(Path directory) {
        return new EmbeddedStoreConfig(directory, true);
    }
}
