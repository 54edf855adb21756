package dev.pactum.store.jdbc;

import dev.pactum.api.PactumException;

/**
 * The database failed or could not be reached. The message names the operation, the ids involved, the store
 * and the database's own SQLState and error code.
 *
 * <p>After a failed write the outcome can be unknown (the connection may have died during the commit): callers
 * read the transaction again rather than assume either way, which is what the coordinator does anyway when it
 * leaves a transaction to the recovery worker.
 */
public class JdbcStoreException extends PactumException {
    public JdbcStoreException(String message, Throwable cause) {
        super("store_failure", message, cause);
    }
}
