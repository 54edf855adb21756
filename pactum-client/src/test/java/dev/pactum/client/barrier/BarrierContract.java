package dev.pactum.client.barrier;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pactum.api.BranchOp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What a barrier must do on every database it supports, checked against the real database. Subclasses only
 * say how to make and drop an isolated database (schema) for the class.
 *
 * <p>Every test uses its own gid and account, so tests do not see each other's rows. Races use real
 * concurrent connections released together; assertions are about end states, never about timing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BarrierContract {
    /** Threads that call the same operation at once. */
    static final int THREADS = 8;
    /** Rounds of a race; each round is a fresh branch. */
    static final int RACE_ROUNDS = 100;

    final String databaseName = "pactum_barrier_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    HikariDataSource dataSource;
    Barrier barrier;
    Accounts accounts;

    /** Creates the isolated database (or schema) named {@code name}. */
    abstract void createIsolated(String name) throws SQLException;

    /** Pool settings for connections into the isolated database. */
    abstract HikariConfig poolConfig(String name);

    abstract void dropIsolated(String name) throws SQLException;

    abstract BarrierDialect expectedDialect();

    /**
     * An isolation level other than the database's default under which the races are run again (as under
     * SERIALIZABLE): the barrier must not depend on the default, a participant's pool may be set otherwise.
     */
    abstract String otherIsolation();

    /**
     * Whether a failed statement aborts the whole transaction, so that every later statement fails until a
     * rollback (PostgreSQL), rather than undoing only itself (MariaDB, H2).
     */
    abstract boolean failedStatementAbortsTransaction();

    /**
     * SQL statements that commit the open transaction on this database: COMMIT itself, and where they exist DDL
     * that commits implicitly and a statement that switches auto-commit on.
     */
    abstract List<String> statementsThatCommit();

    /** A table name no other test run uses, for DDL in business code. */
    String newTableName() {
        return "t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    List<String> isolations() {
        return List.of("default", otherIsolation(), "TRANSACTION_SERIALIZABLE");
    }

    @BeforeAll
    void setUpDatabase() throws SQLException {
        createIsolated(databaseName);
        dataSource = pool("default");
        barrier = Barrier.forDataSource(dataSource);
        barrier.createSchemaIfMissing();
        accounts = new Accounts(dataSource);
        accounts.createTable();
    }

    HikariDataSource pool(String isolation) {
        HikariConfig config = poolConfig(databaseName);
        config.setMaximumPoolSize(THREADS + 4);
        config.setMinimumIdle(0);
        config.setPoolName(getClass().getSimpleName() + "-" + isolation);
        if (!isolation.equals("default")) {
            config.setTransactionIsolation(isolation);
        }
        return new HikariDataSource(config);
    }

    interface WithBarrier {
        void run(Barrier barrier) throws Exception;
    }

    /** Runs {@code test} with a barrier over a pool whose connections use {@code isolation}. */
    void underIsolation(String isolation, WithBarrier test) throws Exception {
        if (isolation.equals("default")) {
            test.run(barrier);
            return;
        }
        try (HikariDataSource other = pool(isolation)) {
            test.run(Barrier.of(other, barrier.dialect()));
        }
    }

    @AfterAll
    void tearDownDatabase() throws SQLException {
        if (dataSource != null) {
            dataSource.close();
        }
        dropIsolated(databaseName);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Setup and the three anomalies, one call at a time

    @Test
    void dialectIsDetectedFromTheConnection() {
        assertThat(barrier.dialect()).isEqualTo(expectedDialect());
    }

    @Test
    void schemaCreationIsIdempotent() throws SQLException {
        barrier.createSchemaIfMissing();
        barrier.createSchemaIfMissing();
        String gid = newGid();
        assertThat(barrier.run(gid, "b1", BranchOp.TRY, conn -> { })).isEqualTo(BarrierResult.APPLIED);
        assertThat(rows(gid, "b1")).containsExactly("try:try");
    }

    @Test
    void tryAndConfirmTakeEffectOnceDespiteDuplicates() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);

        assertThat(barrier.run(gid, "pay", BranchOp.TRY, Accounts.freeze(account, 50))).isEqualTo(BarrierResult.APPLIED);
        assertThat(barrier.run(gid, "pay", BranchOp.TRY, Accounts.freeze(account, 50))).isEqualTo(BarrierResult.DUPLICATE);
        assertThat(accounts.read(account)).containsExactly(150, 50);

        for (int i = 0; i < 3; i++) {
            BarrierResult r = barrier.run(gid, "pay", BranchOp.CONFIRM, Accounts.pay(account, 50));
            assertThat(r).isEqualTo(i == 0 ? BarrierResult.APPLIED : BarrierResult.DUPLICATE);
            assertThat(r.httpStatus()).isEqualTo(200);
        }
        assertThat(accounts.read(account)).containsExactly(100, 0);
        assertThat(rows(gid, "pay")).containsExactly("confirm:confirm", "try:try");
    }

    @Test
    void cancelAfterTryCompensatesOnce() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);

        assertThat(barrier.run(gid, "pay", BranchOp.TRY, Accounts.freeze(account, 50))).isEqualTo(BarrierResult.APPLIED);
        assertThat(barrier.run(gid, "pay", BranchOp.CANCEL, Accounts.release(account, 50))).isEqualTo(BarrierResult.APPLIED);
        assertThat(barrier.run(gid, "pay", BranchOp.CANCEL, Accounts.release(account, 50))).isEqualTo(BarrierResult.DUPLICATE);

        assertThat(accounts.read(account)).containsExactly(150, 0);
        assertThat(rows(gid, "pay")).containsExactly("cancel:cancel", "try:try");
    }

    @Test
    void cancelWithoutTryIsAnEmptyCompensation() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);

        BarrierResult first = barrier.run(gid, "pay", BranchOp.CANCEL, mustNotRun());
        assertThat(first).isEqualTo(BarrierResult.EMPTY_COMPENSATION);
        assertThat(first.httpStatus()).isEqualTo(200);
        assertThat(barrier.run(gid, "pay", BranchOp.CANCEL, mustNotRun())).isEqualTo(BarrierResult.DUPLICATE);

        assertThat(accounts.read(account)).containsExactly(150, 0);
        // The cancel took the try slot, so a Try that shows up later is blocked.
        assertThat(rows(gid, "pay")).containsExactly("cancel:cancel", "try:cancel");
    }

    @Test
    void tryAfterItsCancelIsSuspendedAndReservesNothing() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);

        assertThat(barrier.run(gid, "pay", BranchOp.CANCEL, Accounts.release(account, 50)))
                .isEqualTo(BarrierResult.EMPTY_COMPENSATION);
        for (int i = 0; i < 2; i++) {
            BarrierResult late = barrier.run(gid, "pay", BranchOp.TRY, Accounts.freeze(account, 50));
            assertThat(late).isEqualTo(BarrierResult.SUSPENDED);
            assertThat(late.httpStatus()).isEqualTo(409);
        }

        assertThat(accounts.read(account)).containsExactly(150, 0);
        assertThat(rows(gid, "pay")).containsExactly("cancel:cancel", "try:cancel");
    }

    @Test
    void otherBranchesOfTheSameTransactionAreIndependent() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);

        assertThat(barrier.run(gid, "b1", BranchOp.CANCEL, mustNotRun())).isEqualTo(BarrierResult.EMPTY_COMPENSATION);
        assertThat(barrier.run(gid, "b2", BranchOp.TRY, Accounts.freeze(account, 20))).isEqualTo(BarrierResult.APPLIED);
        assertThat(barrier.run(newGid(), "b1", BranchOp.TRY, Accounts.freeze(account, 30)))
                .isEqualTo(BarrierResult.APPLIED);

        assertThat(accounts.read(account)).containsExactly(150, 50);
    }

    @Test
    void idsDifferingOnlyInCaseAreDifferentBranches() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);

        assertThat(barrier.run(gid, "pay", BranchOp.TRY, Accounts.freeze(account, 10))).isEqualTo(BarrierResult.APPLIED);
        assertThat(barrier.run(gid, "PAY", BranchOp.TRY, Accounts.freeze(account, 10))).isEqualTo(BarrierResult.APPLIED);
        assertThat(barrier.run(gid.toUpperCase(), "pay", BranchOp.TRY, Accounts.freeze(account, 10)))
                .isEqualTo(BarrierResult.APPLIED);

        assertThat(accounts.read(account)).containsExactly(150, 30);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Failures roll back the barrier row with the business changes

    @Test
    void businessExceptionRollsBackTheBarrierRowSoARetryRunsAgain() throws SQLException {
        String gid = newGid();
        String account = newAccount(150, 50);
        IllegalStateException boom = new IllegalStateException("payment gateway down");

        assertThatThrownBy(() -> barrier.run(gid, "pay", BranchOp.CONFIRM, conn -> {
            Accounts.update(conn, account, -50, -50);
            throw boom;
        })).isSameAs(boom);
        assertThat(accounts.read(account)).containsExactly(150, 50);
        assertThat(rows(gid, "pay")).isEmpty();

        assertThat(barrier.run(gid, "pay", BranchOp.CONFIRM, Accounts.pay(account, 50))).isEqualTo(BarrierResult.APPLIED);
        assertThat(accounts.read(account)).containsExactly(100, 0);
    }

    @Test
    void checkedBusinessExceptionIsWrappedAfterRollingBack() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);
        Exception checked = new java.io.IOException("disk full");

        assertThatThrownBy(() -> barrier.run(gid, "pay", BranchOp.TRY, conn -> {
            Accounts.update(conn, account, 0, 50);
            throw checked;
        })).isInstanceOf(BarrierException.class).hasCause(checked).hasMessageContaining(gid + "/pay/try");
        assertThat(accounts.read(account)).containsExactly(150, 0);
        assertThat(rows(gid, "pay")).isEmpty();
    }

    @Test
    void cancelOfARolledBackTryIsEmptyAndTheTryCanNoLongerHang() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);
        IllegalStateException boom = new IllegalStateException("crash after freezing");

        assertThatThrownBy(() -> barrier.run(gid, "pay", BranchOp.TRY, conn -> {
            Accounts.freeze(account, 50).run(conn);
            throw boom;
        })).isSameAs(boom);
        assertThat(barrier.run(gid, "pay", BranchOp.CANCEL, mustNotRun())).isEqualTo(BarrierResult.EMPTY_COMPENSATION);
        assertThat(barrier.run(gid, "pay", BranchOp.TRY, Accounts.freeze(account, 50))).isEqualTo(BarrierResult.SUSPENDED);

        assertThat(accounts.read(account)).containsExactly(150, 0);
    }

    @Test
    void refusedTryRollsBackAndAnswers409() throws SQLException {
        String gid = newGid();
        String account = newAccount(30);

        BarrierResult r = barrier.run(gid, "pay", BranchOp.TRY, conn -> {
            Accounts.update(conn, account, 0, 1); // a partial change the refusal must undo
            Accounts.freeze(account, 50).run(conn);
        });
        assertThat(r).isEqualTo(BarrierResult.REFUSED);
        assertThat(r.httpStatus()).isEqualTo(409);
        assertThat(accounts.read(account)).containsExactly(30, 0);
        assertThat(rows(gid, "pay")).isEmpty();

        // The coordinator then cancels: nothing was reserved, nothing to release.
        assertThat(barrier.run(gid, "pay", BranchOp.CANCEL, mustNotRun())).isEqualTo(BarrierResult.EMPTY_COMPENSATION);
        assertThat(accounts.read(account)).containsExactly(30, 0);
    }

    @Test
    void deadlockInBusinessCodeIsRolledBackAndReportedRetryable() throws Exception {
        String a = newAccount(100);
        String b = newAccount(100);
        String gid1 = newGid();
        String gid2 = newGid();
        // Each first attempt locks its first account, waits until the other holds its own, then goes for the
        // other's: a real lock cycle the database must break by failing one of them.
        CyclicBarrier bothHoldOneLock = new CyclicBarrier(2);
        BranchWork aToB = transferOnce(bothHoldOneLock, a, b, 1);
        BranchWork bToA = transferOnce(bothHoldOneLock, b, a, 10);

        List<BarrierResult> firstResults = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            Future<BarrierResult> f1 = pool.submit(() -> barrier.run(gid1, "move", BranchOp.CONFIRM, aToB));
            Future<BarrierResult> f2 = pool.submit(() -> barrier.run(gid2, "move", BranchOp.CONFIRM, bToA));
            firstResults.add(f1.get(2, TimeUnit.MINUTES));
            firstResults.add(f2.get(2, TimeUnit.MINUTES));
        }
        assertThat(firstResults).contains(BarrierResult.RETRY).allMatch(r -> r == BarrierResult.RETRY
                || r == BarrierResult.APPLIED);
        assertThat(BarrierResult.RETRY.httpStatus()).isEqualTo(425);

        // The coordinator calls again; the loser now applies, the winner is a duplicate.
        assertThat(runUntilDecided(gid1, "move", BranchOp.CONFIRM, aToB))
                .isEqualTo(firstResults.get(0) == BarrierResult.APPLIED ? BarrierResult.DUPLICATE : BarrierResult.APPLIED);
        assertThat(runUntilDecided(gid2, "move", BranchOp.CONFIRM, bToA))
                .isEqualTo(firstResults.get(1) == BarrierResult.APPLIED ? BarrierResult.DUPLICATE : BarrierResult.APPLIED);
        assertThat(accounts.read(a)).containsExactly(109, 0);
        assertThat(accounts.read(b)).containsExactly(91, 0);
    }

    private static BranchWork transferOnce(CyclicBarrier rendezvous, String from, String to, long amount) {
        AtomicBoolean first = new AtomicBoolean(true);
        return conn -> {
            Accounts.update(conn, from, -amount, 0);
            if (first.getAndSet(false)) {
                rendezvous.await(1, TimeUnit.MINUTES);
            }
            Accounts.update(conn, to, amount, 0);
        };
    }

    // ---------------------------------------------------------------------------------------------------------
    // The business code breaks the local transaction: never acknowledged (issue 6, item 2)

    @ParameterizedTest
    @EnumSource(value = BranchOp.class, names = {"TRY", "CONFIRM", "CANCEL"})
    void swallowedSqlErrorIsNotAcknowledged(BranchOp op) throws SQLException {
        String gid = newGid();
        String taken = gid + "-taken";
        insertLogRow(taken);
        String account;
        BranchWork change;
        long[] applied;
        switch (op) {
            case TRY -> {
                account = newAccount(150);
                change = Accounts.freeze(account, 50);
                applied = new long[] {150, 50};
            }
            case CONFIRM -> {
                account = newAccount(150, 50);
                change = Accounts.pay(account, 50);
                applied = new long[] {100, 0};
            }
            default -> {
                account = newAccount(150);
                assertThat(barrier.run(gid, "pay", BranchOp.TRY, Accounts.freeze(account, 50)))
                        .isEqualTo(BarrierResult.APPLIED);
                change = Accounts.release(account, 50);
                applied = new long[] {150, 0};
            }
        }
        long[] before = accounts.read(account);
        List<String> rowsBefore = rows(gid, "pay");
        AtomicInteger attempt = new AtomicInteger();
        // The common idiom: change the balance, write an audit row, ignore "already logged". The first attempt's
        // audit id is taken; a retry's is not.
        BranchWork changeThenLogIgnoringErrors = conn -> {
            change.run(conn);
            try {
                Accounts.log(conn, attempt.getAndIncrement() == 0 ? taken : gid + "-log");
            } catch (SQLException alreadyLogged) {
                // ignored on purpose: the business code goes on
            }
        };

        if (failedStatementAbortsTransaction()) {
            assertThatThrownBy(() -> barrier.run(gid, "pay", op, changeThenLogIgnoringErrors))
                    .isInstanceOfSatisfying(BrokenTransactionException.class, e -> {
                        assertThat(e.reason()).isEqualTo(BrokenTransactionException.Reason.ABORTED);
                        assertThat(e.key()).isEqualTo(new BarrierKey(gid, "pay", op));
                    });
            assertThat(accounts.read(account)).containsExactly(before);
            assertThat(rows(gid, "pay")).isEqualTo(rowsBefore);

            // The coordinator calls again (or the client's Try is retried by a new transaction): applied once.
            assertThat(barrier.run(gid, "pay", op, changeThenLogIgnoringErrors)).isEqualTo(BarrierResult.APPLIED);
        } else {
            // Here a failed statement undoes only itself: the rest of the work is intact and commits.
            assertThat(barrier.run(gid, "pay", op, changeThenLogIgnoringErrors)).isEqualTo(BarrierResult.APPLIED);
        }
        assertThat(accounts.read(account)).containsExactly(applied);
        assertThat(rows(gid, "pay")).contains(op.wire() + ":" + op.wire());
        assertThat(barrier.run(gid, "pay", op, changeThenLogIgnoringErrors)).isEqualTo(BarrierResult.DUPLICATE);
        assertThat(accounts.read(account)).containsExactly(applied);
    }

    @Test
    void deadlockSwallowedByBusinessCodeIsNotAcknowledged() throws Exception {
        String a = newAccount(100);
        String b = newAccount(100);
        String gid1 = newGid();
        String gid2 = newGid();
        // A real lock cycle between two Confirms, as in deadlockInBusinessCodeIsRolledBackAndReportedRetryable,
        // but the business code catches every SQLException and goes on to write its audit row. InnoDB and H2
        // roll the victim's whole transaction back (the audit row then starts a new one); PostgreSQL aborts it.
        CyclicBarrier bothHoldOneLock = new CyclicBarrier(2);
        Map<String, SQLException> swallowed = new ConcurrentHashMap<>();
        BranchWork aToB = transferSwallowingErrors(bothHoldOneLock, gid1, a, b, 1, swallowed);
        BranchWork bToA = transferSwallowingErrors(bothHoldOneLock, gid2, b, a, 10, swallowed);

        Map<String, Object> first = new HashMap<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
            Future<Object> f1 = pool.submit(() -> outcome(() -> barrier.run(gid1, "move", BranchOp.CONFIRM, aToB)));
            Future<Object> f2 = pool.submit(() -> outcome(() -> barrier.run(gid2, "move", BranchOp.CONFIRM, bToA)));
            first.put(gid1, f1.get(2, TimeUnit.MINUTES));
            first.put(gid2, f2.get(2, TimeUnit.MINUTES));
        }
        assertThat(swallowed).as("one deadlock victim").hasSize(1);
        String victim = swallowed.keySet().iterator().next();
        String winner = victim.equals(gid1) ? gid2 : gid1;
        assertThat(barrier.dialect().isRetryable(swallowed.get(victim))).as("a real deadlock: %s",
                swallowed.get(victim)).isTrue();
        assertThat(first.get(winner)).isEqualTo(BarrierResult.APPLIED);
        assertThat(first.get(victim)).isInstanceOfSatisfying(BrokenTransactionException.class,
                e -> assertThat(e.reason()).isEqualTo(failedStatementAbortsTransaction()
                        ? BrokenTransactionException.Reason.ABORTED : BrokenTransactionException.Reason.ENDED));
        assertThat(rows(victim, "move")).isEmpty();
        assertThat(accounts.logCount(victim)).as("the victim's audit row, written after the rollback").isZero();

        // The coordinator calls both again: the victim applies now, exactly once; the winner is a duplicate.
        assertThat(barrier.run(victim, "move", BranchOp.CONFIRM, victim.equals(gid1) ? aToB : bToA))
                .isEqualTo(BarrierResult.APPLIED);
        assertThat(barrier.run(winner, "move", BranchOp.CONFIRM, winner.equals(gid1) ? aToB : bToA))
                .isEqualTo(BarrierResult.DUPLICATE);
        assertThat(accounts.read(a)).containsExactly(109, 0);
        assertThat(accounts.read(b)).containsExactly(91, 0);
        assertThat(accounts.logCount(gid1)).isEqualTo(1);
        assertThat(accounts.logCount(gid2)).isEqualTo(1);
    }

    private static BranchWork transferSwallowingErrors(CyclicBarrier rendezvous, String gid, String from, String to,
            long amount, Map<String, SQLException> swallowed) {
        AtomicInteger attempt = new AtomicInteger();
        return conn -> {
            int n = attempt.incrementAndGet();
            Accounts.update(conn, from, -amount, 0);
            if (n == 1) {
                rendezvous.await(1, TimeUnit.MINUTES);
            }
            try {
                Accounts.update(conn, to, amount, 0);
            } catch (SQLException e) {
                swallowed.put(gid, e); // "log and go on"
            }
            try {
                Accounts.log(conn, gid + "-" + n);
            } catch (SQLException e) {
                // also ignored
            }
        };
    }

    /** Calls on the connection given to the business code that end or escape the barrier's transaction. */
    enum TransactionControl {
        COMMIT, ROLLBACK, AUTO_COMMIT_ON, CLOSE;

        void apply(Connection conn) throws SQLException {
            switch (this) {
                case COMMIT -> conn.commit();
                case ROLLBACK -> conn.rollback();
                case AUTO_COMMIT_ON -> conn.setAutoCommit(true);
                case CLOSE -> conn.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TransactionControl.class)
    void transactionControlByBusinessCodeIsRefusedAndNothingIsCommitted(TransactionControl control)
            throws SQLException {
        // Then the business code fails: a commit in the middle would have kept the first half and the barrier
        // row, and the retry would answer DUPLICATE for a payment half made.
        assertPaymentInHalvesIsNotAcknowledged(conn -> {
            try {
                control.apply(conn);
            } catch (SQLException refused) {
                // swallowed: the barrier must notice anyway
            }
        }, true, BrokenTransactionException.Reason.TRANSACTION_CONTROL);
    }

    @Test
    void rollbackByBusinessCodeIsNotAcknowledged() throws SQLException {
        // Would undo the first half and the barrier row, and the second half would commit alone.
        assertPaymentInHalvesIsNotAcknowledged(conn -> {
            try {
                conn.rollback();
            } catch (SQLException refused) {
                // swallowed
            }
        }, false, BrokenTransactionException.Reason.TRANSACTION_CONTROL);
    }

    @Test
    void rollbackStatementInBusinessCodeIsNotAcknowledged() throws SQLException {
        // ROLLBACK as SQL text goes past the connection the barrier hands out; the check before commit sees
        // that the transaction holding the barrier row is gone.
        assertPaymentInHalvesIsNotAcknowledged(conn -> {
            try (Statement st = conn.createStatement()) {
                st.execute("ROLLBACK");
            }
        }, false, BrokenTransactionException.Reason.ENDED);
    }

    /**
     * A Confirm that pays 50 in two halves (balance, then frozen) with {@code between} run between them, and
     * that then fails if {@code failAfter}: the barrier must refuse it for {@code reason} with nothing committed,
     * and a correct retry must apply once.
     */
    private void assertPaymentInHalvesIsNotAcknowledged(BranchWork between, boolean failAfter,
            BrokenTransactionException.Reason reason) throws SQLException {
        String gid = newGid();
        String account = newAccount(150, 50);

        assertThatThrownBy(() -> barrier.run(gid, "pay", BranchOp.CONFIRM, conn -> {
            Accounts.update(conn, account, -50, 0);
            between.run(conn);
            Accounts.update(conn, account, 0, -50);
            if (failAfter) {
                throw new IllegalStateException("payment gateway down");
            }
        })).isInstanceOfSatisfying(BrokenTransactionException.class, e -> {
            assertThat(e.reason()).isEqualTo(reason);
            assertThat(e.getMessage()).contains(gid + "/pay/confirm");
        });
        assertThat(accounts.read(account)).containsExactly(150, 50);
        assertThat(rows(gid, "pay")).isEmpty();

        assertThat(barrier.run(gid, "pay", BranchOp.CONFIRM, Accounts.pay(account, 50))).isEqualTo(BarrierResult.APPLIED);
        assertThat(accounts.read(account)).containsExactly(100, 0);
    }

    @ParameterizedTest
    @MethodSource("statementsThatCommit")
    void statementThatCommitsInBusinessCodeIsNotAcknowledged(String sql) throws SQLException {
        String gid = newGid();
        String account = newAccount(150, 50);

        assertThatThrownBy(() -> barrier.run(gid, "pay", BranchOp.CONFIRM, conn -> {
            Accounts.update(conn, account, -50, 0);
            try (Statement st = conn.createStatement()) {
                st.execute(sql);
            }
            Accounts.update(conn, account, 0, -50);
        })).isInstanceOfSatisfying(BrokenTransactionException.class,
                e -> assertThat(e.reason()).isEqualTo(BrokenTransactionException.Reason.ENDED));
        // What the statement committed, barrier row included, stays committed: the barrier can refuse to
        // acknowledge it, not undo it, and the next call finds the row (docs/barrier.md says so).
        assertThat(rows(gid, "pay")).containsExactly("confirm:confirm");
        assertThat(barrier.run(gid, "pay", BranchOp.CONFIRM, Accounts.pay(account, 50)))
                .isEqualTo(BarrierResult.DUPLICATE);
    }

    @Test
    void errorUndoneToASavepointLeavesTheCallIntact() throws SQLException {
        String gid = newGid();
        String account = newAccount(150, 50);
        String taken = gid + "-taken";
        insertLogRow(taken);

        // The way to ignore an expected error on every database, PostgreSQL included: a savepoint around it.
        assertThat(barrier.run(gid, "pay", BranchOp.CONFIRM, conn -> {
            Accounts.pay(account, 50).run(conn);
            Savepoint beforeLog = conn.setSavepoint();
            try {
                Accounts.log(conn, taken);
            } catch (SQLException alreadyLogged) {
                conn.rollback(beforeLog);
            }
        })).isEqualTo(BarrierResult.APPLIED);
        assertThat(accounts.read(account)).containsExactly(100, 0);
        assertThat(rows(gid, "pay")).containsExactly("confirm:confirm");
    }

    interface Run {
        BarrierResult run();
    }

    /** A call's result, or the exception it threw. */
    static Object outcome(Run call) {
        try {
            return call.run();
        } catch (RuntimeException e) {
            return e;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Races between real concurrent connections

    @ParameterizedTest
    @EnumSource(value = BranchOp.class, names = {"TRY", "CONFIRM", "CANCEL"})
    void concurrentDuplicatesApplyExactlyOnce(BranchOp op) throws Exception {
        for (int round = 0; round < 10; round++) {
            String gid = newGid();
            String account;
            BranchWork work;
            switch (op) {
                case TRY -> {
                    account = newAccount(1000);
                    work = Accounts.freeze(account, 50);
                }
                case CONFIRM -> {
                    account = newAccount(1000, 50);
                    work = Accounts.pay(account, 50);
                }
                default -> {
                    account = newAccount(1000);
                    assertThat(barrier.run(gid, "pay", BranchOp.TRY, Accounts.freeze(account, 50)))
                            .isEqualTo(BarrierResult.APPLIED);
                    work = Accounts.release(account, 50);
                }
            }

            List<BarrierResult> results = race(THREADS, i -> runUntilDecided(gid, "pay", op, work));

            assertThat(results).as("round %d", round).containsOnlyOnce(BarrierResult.APPLIED)
                    .containsOnly(BarrierResult.APPLIED, BarrierResult.DUPLICATE);
            long[] expected = switch (op) {
                case TRY -> new long[] {1000, 50};
                case CONFIRM -> new long[] {950, 0};
                case CANCEL -> new long[] {1000, 0};
                default -> throw new IllegalStateException("not a TCC operation: " + op);
            };
            assertThat(accounts.read(account)).as("round %d", round).containsExactly(expected);
        }
    }

    @ParameterizedTest
    @MethodSource("isolations")
    void concurrentDuplicatesStillApplyOnceWhenTheFirstToRunFails(String isolation) throws Exception {
        underIsolation(isolation, b -> concurrentDuplicatesStillApplyOnceWhenTheFirstToRunFails(b));
    }

    private void concurrentDuplicatesStillApplyOnceWhenTheFirstToRunFails(Barrier barrier) throws Exception {
        for (int round = 0; round < 10; round++) {
            String gid = newGid();
            String account = newAccount(1000, 50);
            AtomicBoolean failNext = new AtomicBoolean(true);
            BranchWork payOrFailOnce = conn -> {
                Accounts.pay(account, 50).run(conn);
                if (failNext.getAndSet(false)) {
                    throw new IllegalStateException("first one fails");
                }
            };

            List<Object> outcomes = race(THREADS, i -> {
                try {
                    return runUntilDecided(barrier, gid, "pay", BranchOp.CONFIRM, payOrFailOnce);
                } catch (IllegalStateException e) {
                    return e.getMessage();
                }
            });

            // The failed transaction's row was rolled back: whoever waited on it must not take it for done.
            assertThat(outcomes).as("round %d", round).containsOnlyOnce("first one fails")
                    .containsOnlyOnce(BarrierResult.APPLIED)
                    .containsOnly("first one fails", BarrierResult.APPLIED, BarrierResult.DUPLICATE);
            assertThat(accounts.read(account)).as("round %d", round).containsExactly(950, 0);
        }
    }

    @ParameterizedTest
    @MethodSource("isolations")
    void tryAndCancelRacingForOneBranchAlwaysEndConsistent(String isolation) throws Exception {
        underIsolation(isolation, b -> tryAndCancelRacingForOneBranchAlwaysEndConsistent(b, isolation));
    }

    private void tryAndCancelRacingForOneBranchAlwaysEndConsistent(Barrier barrier, String isolation)
            throws Exception {
        String account = newAccount(150);
        Map<BarrierResult, AtomicInteger> tryResults = new EnumMap<>(BarrierResult.class);
        for (int round = 0; round < RACE_ROUNDS; round++) {
            String gid = newGid();
            CyclicBarrier start = new CyclicBarrier(2);
            BarrierResult tryResult;
            BarrierResult cancelResult;
            try (ExecutorService pool = Executors.newFixedThreadPool(2)) {
                Future<BarrierResult> t = pool.submit(() -> {
                    start.await(1, TimeUnit.MINUTES);
                    return runUntilDecided(barrier, gid, "pay", BranchOp.TRY, Accounts.freeze(account, 50));
                });
                Future<BarrierResult> c = pool.submit(() -> {
                    start.await(1, TimeUnit.MINUTES);
                    return runUntilDecided(barrier, gid, "pay", BranchOp.CANCEL, Accounts.release(account, 50));
                });
                tryResult = t.get(2, TimeUnit.MINUTES);
                cancelResult = c.get(2, TimeUnit.MINUTES);
            }

            // Either the Try went first and the Cancel undid it, or the Cancel went first, was empty, and the
            // Try hung. Never a Try applied without its compensation after the Cancel succeeded.
            assertThat(List.of(tryResult, cancelResult)).as("round %d", round).isIn(
                    List.of(BarrierResult.APPLIED, BarrierResult.APPLIED),
                    List.of(BarrierResult.SUSPENDED, BarrierResult.EMPTY_COMPENSATION));
            assertThat(accounts.read(account)).as("round %d", round).containsExactly(150, 0);
            assertThat(rows(gid, "pay")).as("round %d", round).containsExactly("cancel:cancel",
                    tryResult == BarrierResult.APPLIED ? "try:try" : "try:cancel");
            tryResults.computeIfAbsent(tryResult, k -> new AtomicInteger()).incrementAndGet();
        }
        // Informative only: how the races fell on this run (no assertion on timing).
        System.out.println(getClass().getSimpleName() + " try/cancel race, " + isolation + ": " + tryResults);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Housekeeping

    @Test
    void deleteOlderThanRemovesOnlyOldRowsInBatches() throws SQLException {
        Instant longAgo = Instant.parse("2001-01-01T00:00:00.123456789Z");
        Instant later = Instant.parse("2001-02-01T00:00:00Z");
        String oldGid = newGid();
        String keptGid = newGid();
        String account = newAccount(150);

        assertThat(barrier.withClock(Clock.fixed(longAgo, ZoneOffset.UTC)).run(oldGid, "pay", BranchOp.CANCEL,
                mustNotRun())).isEqualTo(BarrierResult.EMPTY_COMPENSATION);
        assertThat(barrier.withClock(Clock.fixed(later, ZoneOffset.UTC)).run(keptGid, "pay", BranchOp.TRY,
                Accounts.freeze(account, 50))).isEqualTo(BarrierResult.APPLIED);
        int bulk = Barrier.DELETE_BATCH * 2 + 17;
        insertOldRows(newGid(), bulk, longAgo);

        long deleted = barrier.deleteOlderThan(later);

        assertThat(deleted).isEqualTo(bulk + 2);
        assertThat(rows(oldGid, "pay")).isEmpty();
        assertThat(rows(keptGid, "pay")).containsExactly("try:try");
        assertThat(barrier.run(keptGid, "pay", BranchOp.TRY, mustNotRun())).isEqualTo(BarrierResult.DUPLICATE);
        assertThat(barrier.deleteOlderThan(later)).isZero();
    }

    @Test
    void deleteOlderThanRefusesACutoffInTheFuture() {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");
        Barrier fixed = barrier.withClock(Clock.fixed(now, ZoneOffset.UTC));
        assertThatThrownBy(() -> fixed.deleteOlderThan(now.plusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("after now");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers

    String newGid() {
        return "g-" + UUID.randomUUID();
    }

    String newAccount(long balance) throws SQLException {
        return newAccount(balance, 0);
    }

    String newAccount(long balance, long frozen) throws SQLException {
        String id = "acct-" + UUID.randomUUID();
        accounts.open(id, balance, frozen);
        return id;
    }

    static BranchWork mustNotRun() {
        return conn -> {
            throw new AssertionError("business code must not run");
        };
    }

    /** What a coordinator does: call again while the answer is "try later". */
    BarrierResult runUntilDecided(String gid, String branchId, BranchOp op, BranchWork work) {
        return runUntilDecided(barrier, gid, branchId, op, work);
    }

    static BarrierResult runUntilDecided(Barrier barrier, String gid, String branchId, BranchOp op, BranchWork work) {
        for (int attempt = 1; attempt <= 100; attempt++) {
            BarrierResult r = barrier.run(gid, branchId, op, work);
            if (r != BarrierResult.RETRY) {
                return r;
            }
        }
        throw new AssertionError(gid + "/" + branchId + "/" + op + " still RETRY after 100 attempts");
    }

    interface Call<T> {
        T call(int index) throws Exception;
    }

    /** Runs {@code n} calls on {@code n} threads released together; their results in thread order. */
    static <T> List<T> race(int n, Call<T> call) throws Exception {
        CyclicBarrier start = new CyclicBarrier(n);
        List<Future<T>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            for (int i = 0; i < n; i++) {
                int index = i;
                futures.add(pool.submit(() -> {
                    start.await(1, TimeUnit.MINUTES);
                    return call.call(index);
                }));
            }
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get(2, TimeUnit.MINUTES));
            }
            return results;
        }
    }

    /** The barrier rows of a branch as "op:origin_op", sorted by op. */
    List<String> rows(String gid, String branchId) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT op, origin_op FROM " + Barrier.TABLE
                     + " WHERE gid = ? AND branch_id = ? ORDER BY op")) {
            ps.setString(1, gid);
            ps.setString(2, branchId);
            List<String> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(rs.getString(1) + ":" + rs.getString(2));
                }
            }
            return rows;
        }
    }

    private void insertLogRow(String id) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            Accounts.log(c, id);
        }
    }

    private void insertOldRows(String gid, int count, Instant createdAt) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + Barrier.TABLE
                     + " (gid, branch_id, op, origin_op, created_at) VALUES (?, ?, 'try', 'try', ?)")) {
            for (int i = 0; i < count; i++) {
                ps.setString(1, gid);
                ps.setString(2, "b" + i);
                barrier.dialect().bindTime(ps, 3, createdAt);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}
