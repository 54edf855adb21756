package dev.pactum.store.embedded;

/**
 * The embedded store is closing or closed: the operation was refused before it touched the database. For a write
 * this means "not written" (it is a {@link StoreWriteRefusedException}).
 */
public final class StoreClosedException extends StoreWriteRefusedException {
    public StoreClosedException(String message) {
        super(message);
    }
}
