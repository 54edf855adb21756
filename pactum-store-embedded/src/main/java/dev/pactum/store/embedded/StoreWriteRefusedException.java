package dev.pactum.store.embedded;

/**
 * A write the embedded store did not make, and never will: the store was closing or closed, an earlier write's
 * outcome is unknown (so the store refuses every later one, see {@link StoreWriteUnknownException}), or the caller
 * was interrupted before the writer took the write. Nothing of it is on disk, before or after a restart.
 */
public class StoreWriteRefusedException extends IllegalStateException {
    public StoreWriteRefusedException(String message) {
        super(message);
    }
}
