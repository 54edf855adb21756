package dev.pactum.client.xa;

import java.sql.Connection;

/**
 * The business SQL of an XA branch, run by {@link XaParticipant#work} inside the branch's XA transaction.
 *
 * <p>Use only the connection given. Do not commit, roll back, close it or change its auto-commit mode: the XA
 * transaction decides (the PostgreSQL driver refuses such calls inside a branch, MariaDB answers XAER_RMFAIL).
 * Throw to roll the branch back: {@link dev.pactum.client.barrier.BranchRefusedException} for a definite "no"
 * (answered 409), anything else for a failure. Do not swallow an SQL error and carry on: on PostgreSQL the
 * transaction is then aborted, and the participant would find out only at prepare (it does, and votes no).
 *
 * <p>The connection is pooled: later branches reuse it. Leave no session state behind (session variables set with
 * SQL, isolation level, read-only mode, schema, temporary tables; on PostgreSQL {@code SET LOCAL} is fine, it ends
 * with the branch), and close the statements and result sets you open.
 */
@FunctionalInterface
public interface XaWork {
    void run(Connection conn) throws Exception;
}
