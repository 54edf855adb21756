package dev.pactum.client.barrier;

import java.sql.Connection;

/**
 * The business part of a branch operation (reserve, confirm or release), run by {@link Barrier#run} inside
 * the barrier's local transaction.
 *
 * <p>Use only the connection given; do not commit, roll back or close it, nor change its auto-commit mode:
 * the barrier commits the business changes and the barrier row together, and refuses those calls. Throw to roll
 * back both: {@link BranchRefusedException} for a definite "no" (answered 409), anything else for a failure the
 * caller should retry.
 *
 * <p>Do not catch an {@link java.sql.SQLException} and go on as if the statement had simply not happened: on
 * PostgreSQL the whole transaction is then aborted, and on MySQL and MariaDB (InnoDB) and on H2, after a deadlock, it was rolled back
 * and the next statement starts a new one. The barrier finds out before committing and throws
 * {@link BrokenTransactionException} (nothing is acknowledged). To ignore an expected error on every database,
 * set a savepoint before the statement and roll back to it, or use a statement that cannot fail that way
 * ({@code INSERT ... ON CONFLICT DO NOTHING}, {@code INSERT IGNORE}).
 */
@FunctionalInterface
public interface BranchWork {
    void run(Connection conn) throws Exception;
}
