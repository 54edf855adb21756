package dev.pactum.store.embedded;

/**
 * A write whose outcome the store cannot know: RocksDB failed the write of its group (the WAL append or its fsync
 * may or may not have reached the disk), or its caller was interrupted while the write was already being made and
 * it did not finish within {@link EmbeddedStoreConfig#interruptedWait()}. After a restart the write is either
 * wholly there or wholly absent (a write is one atomic batch), like a write in flight when the process crashes.
 *
 * <p>The store refuses every later write from then on ({@link StoreWriteRefusedException}): a write that could still
 * land must not be overtaken by one computed from the state before it. Reads keep working; a restart clears it.
 */
public final class StoreWriteUnknownException extends IllegalStateException {
    public StoreWriteUnknownException(String message, Throwable cause) {
        super(message, cause);
    }
}
