package dev.pactum.client.xa;

import dev.pactum.api.Headers;
import dev.pactum.api.InvalidInputException;
import dev.pactum.client.barrier.BranchRefusedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import javax.sql.XADataSource;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What an XA participant must do on every database it supports, against the real database and a fake coordinator
 * (an HTTP test double of the query API). Subclasses say which database.
 *
 * <p>Isolation: each class has its own schema or database, and its gids share a random prefix; every participant
 * here recovers only branches with that prefix, so other work on the same database server is never touched. After
 * the class, no prepared branch of it may be left: checked with SQL ({@code pg_prepared_xacts},
 * {@code XA RECOVER}), not through the driver.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class XaParticipantContract {
    static final Duration GRACE = Duration.ofSeconds(30);
    static final Duration IDLE = Duration.ofSeconds(60);

    final String gidPrefix = "xt" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "-";
    private final AtomicInteger seq = new AtomicInteger();
    XaTestDatabase db;
    XADataSource dataSource;
    FakeCoordinator coordinator;
    MutableClock clock;
    XaParticipant xa;

    abstract XaTestDatabase database();

    @BeforeAll
    void setUpDatabase() throws SQLException, IOException {
        db = database();
        db.create();
        db.createAccounts();
        dataSource = db.dataSource();
        coordinator = new FakeCoordinator();
    }

    @BeforeEach
    void newParticipant() {
        clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        xa = participant();
    }

    XaParticipant participant() {
        return builder().build();
    }

    XaParticipant.Builder builder() {
        return builder(dataSource);
    }

    XaParticipant.Builder builder(XADataSource ds) {
        return XaParticipant.builder(ds)
                .coordinator(coordinator.client)
                .clock(clock)
                .orphanGrace(GRACE)
                .idleTimeout(IDLE)
                .recoverOnly(b -> b.gid().startsWith(gidPrefix));
    }

    @AfterEach
    void closeParticipant() {
        assertThat(xa.inFlight()).as("branches still holding a connection").isZero();
        xa.close();
    }

    @AfterAll
    void noPreparedTransactionLeftBehind() throws SQLException {
        List<String> left = db.preparedBranches(gidPrefix);
        for (String b : left) { // clean up first so one failure does not leak into other classes
            String[] p = b.split("/");
            db.rollbackWithSql(p[0], p[1]);
        }
        coordinator.close();
        db.drop();
        assertThat(left).as("prepared transactions left behind by " + getClass().getSimpleName()).isEmpty();
    }

    String newGid() {
        return gidPrefix + seq.incrementAndGet();
    }

    String newAccount(int balance) throws SQLException {
        String id = "acct-" + seq.incrementAndGet();
        db.newAccount(id, balance);
        return id;
    }

    List<String> prepared() throws SQLException {
        return db.preparedBranches(gidPrefix);
    }

    /** A participant restarted: the old one is closed, a new one on the same database knows nothing. */
    void restart() {
        closeAndAwaitSessionsGone();
        xa = participant();
    }

    /**
     * Closes the participant and waits until the server has ended its sessions, as a real restart would take
     * longer than that: MariaDB lets no other session finish a branch until the server has ended the session that
     * prepared it, which happens a moment after the client closed it.
     */
    void closeAndAwaitSessionsGone() {
        xa.close();
        try {
            db.awaitDataSourceSessionsGone();
        } catch (SQLException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The happy paths

    @Test
    void workPrepareCommitAppliesTheSql() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);

        XaResult work = xa.work(gid, "pay", XaTestDatabase.debit(account, 50));
        assertThat(work).isEqualTo(XaResult.APPLIED);
        assertThat(work.httpStatus()).isEqualTo(200);
        assertThat(xa.inFlight()).isEqualTo(1);
        assertThat(xa.stateOf(gid, "pay")).isEqualTo(BranchState.IDLE);
        assertThat(db.balance(account)).as("not visible before commit").isEqualTo(150);
        assertThat(db.canUpdateWithoutWaiting(account)).as("the idle branch holds its row lock").isFalse();

        XaResult prepare = xa.prepare(gid, "pay");
        assertThat(prepare).isEqualTo(XaResult.APPLIED);
        assertThat(prepare.httpStatus()).isEqualTo(200);
        assertThat(xa.inFlight()).as("the connection is closed after prepare").isZero();
        assertThat(prepared()).containsExactly(gid + "/pay");
        assertThat(db.canUpdateWithoutWaiting(account)).as("the prepared transaction holds its row lock").isFalse();

        assertThat(xa.commit(gid, "pay")).isEqualTo(XaResult.APPLIED);
        assertThat(db.balance(account)).isEqualTo(100);
        assertThat(prepared()).isEmpty();
        assertThat(db.canUpdateWithoutWaiting(account)).isTrue();
        assertThat(xa.stateOf(gid, "pay")).isNull();
    }

    @Test
    void workPrepareRollbackLeavesNothing() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);

        assertThat(xa.work(gid, "pay", XaTestDatabase.debit(account, 50))).isEqualTo(XaResult.APPLIED);
        assertThat(xa.prepare(gid, "pay")).isEqualTo(XaResult.APPLIED);
        assertThat(xa.rollback(gid, "pay")).isEqualTo(XaResult.APPLIED);

        assertThat(db.balance(account)).isEqualTo(150);
        assertThat(prepared()).isEmpty();
        assertThat(db.canUpdateWithoutWaiting(account)).isTrue();
    }

    @Test
    void twoBranchesOfOneTransactionCommitTogether() throws SQLException {
        String gid = newGid();
        String a = newAccount(150);
        String b = newAccount(10);

        assertThat(xa.work(gid, "debit", XaTestDatabase.debit(a, 50))).isEqualTo(XaResult.APPLIED);
        assertThat(xa.work(gid, "credit", XaTestDatabase.debit(b, -50))).isEqualTo(XaResult.APPLIED);
        assertThat(xa.prepare(gid, "debit")).isEqualTo(XaResult.APPLIED);
        assertThat(xa.prepare(gid, "credit")).isEqualTo(XaResult.APPLIED);
        assertThat(prepared()).containsExactlyInAnyOrder(gid + "/debit", gid + "/credit");
        assertThat(xa.commit(gid, "debit")).isEqualTo(XaResult.APPLIED);
        assertThat(xa.commit(gid, "credit")).isEqualTo(XaResult.APPLIED);

        assertThat(db.balance(a)).isEqualTo(100);
        assertThat(db.balance(b)).isEqualTo(60);
    }

    @Test
    void aWorkThatSendsNoStatementVotesYesAndLeavesNothingPrepared() throws SQLException {
        // No statement means no transaction opened on the server: on PostgreSQL a PREPARE TRANSACTION there only
        // warns and prepares nothing, so "no error seen" must not read as "prepared" (nor as "refused").
        String gid = newGid();
        assertThat(xa.work(gid, "nothing", conn -> { })).isEqualTo(XaResult.APPLIED);
        XaResult vote = xa.prepare(gid, "nothing");
        assertThat(vote.isSuccess()).as("vote " + vote).isTrue();
        assertThat(xa.commit(gid, "nothing").isSuccess()).isTrue();
        assertThat(prepared()).isEmpty();
        assertThat(xa.inFlight()).isZero();
    }

    @Test
    void readOnlyBranchIsPreparedAndCommitted() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);
        AtomicInteger seen = new AtomicInteger();

        assertThat(xa.work(gid, "read", conn -> {
            try (PreparedStatement ps = conn.prepareStatement("SELECT balance FROM acct WHERE id = ?")) {
                ps.setString(1, account);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    seen.set(rs.getInt(1));
                }
            }
        })).isEqualTo(XaResult.APPLIED);
        XaResult vote = xa.prepare(gid, "read");
        assertThat(vote.isSuccess()).isTrue();
        assertThat(xa.commit(gid, "read").isSuccess()).isTrue();
        assertThat(seen.get()).isEqualTo(150);
        assertThat(prepared()).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Refusals and failures in the work

    @Test
    void refusalInTheWorkRollsBackAndVotesNo() throws SQLException {
        String gid = newGid();
        String account = newAccount(30);

        XaResult r = xa.work(gid, "pay", conn -> {
            XaTestDatabase.debit(account, 10).run(conn); // takes effect, then the refusal undoes it
            throw new BranchRefusedException("changed my mind");
        });
        assertThat(r).isEqualTo(XaResult.REFUSED);
        assertThat(r.httpStatus()).isEqualTo(409);
        assertThat(xa.inFlight()).isZero();
        assertThat(xa.work(newGid(), "pay", XaTestDatabase.debit(account, 50))).isEqualTo(XaResult.REFUSED);

        XaResult vote = xa.prepare(gid, "pay");
        assertThat(vote).isEqualTo(XaResult.REFUSED);
        assertThat(xa.rollback(gid, "pay").isSuccess()).isTrue();
        assertThat(db.balance(account)).isEqualTo(30);
        assertThat(db.canUpdateWithoutWaiting(account)).isTrue();
    }

    @Test
    void unexpectedExceptionInTheWorkIsRethrownAfterRollingBack() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);

        assertThatThrownBy(() -> xa.work(gid, "pay", conn -> {
            XaTestDatabase.debit(account, 50).run(conn);
            throw new IllegalStateException("bug in business code");
        })).isInstanceOf(IllegalStateException.class).hasMessage("bug in business code");
        assertThatThrownBy(() -> xa.work(newGid(), "pay", conn -> {
            throw new IOException("checked");
        })).isInstanceOf(XaException.class).hasCauseInstanceOf(IOException.class)
                .hasMessageContaining("rolled back");

        assertThat(xa.inFlight()).isZero();
        assertThat(db.balance(account)).isEqualTo(150);
        assertThat(xa.prepare(gid, "pay")).isEqualTo(XaResult.REFUSED);
        // A failed work is not remembered: the transaction manager may run it again.
        assertThat(xa.work(gid, "pay", XaTestDatabase.debit(account, 50))).isEqualTo(XaResult.APPLIED);
        assertThat(xa.rollback(gid, "pay")).isEqualTo(XaResult.APPLIED);
    }

    @Test
    void deadlockInTheWorkAnswersTryLater() throws Exception {
        // Two branches update two rows in opposite orders: the database kills one of them (RETRY, rolled back).
        String a = newAccount(100);
        String b = newAccount(100);
        String gid1 = newGid();
        String gid2 = newGid();
        CyclicBarrier bothHoldOne = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<XaResult> first = pool.submit(() -> xa.work(gid1, "x", crossing(a, b, bothHoldOne)));
            Future<XaResult> second = pool.submit(() -> xa.work(gid2, "x", crossing(b, a, bothHoldOne)));
            List<XaResult> results = List.of(first.get(120, TimeUnit.SECONDS), second.get(120, TimeUnit.SECONDS));
            assertThat(results).containsExactlyInAnyOrder(XaResult.RETRY, XaResult.APPLIED);
            assertThat(XaResult.RETRY.httpStatus()).isEqualTo(425);
        } finally {
            pool.shutdown();
        }
        assertThat(xa.inFlight()).isEqualTo(1);
        assertThat(xa.rollback(gid1, "x").isSuccess()).isTrue();
        assertThat(xa.rollback(gid2, "x").isSuccess()).isTrue();
        assertThat(db.balance(a)).isEqualTo(100);
        assertThat(db.balance(b)).isEqualTo(100);
    }

    private static XaWork crossing(String first, String second, CyclicBarrier bothHoldOne) {
        return conn -> {
            XaTestDatabase.debit(first, 1).run(conn);
            bothHoldOne.await(60, TimeUnit.SECONDS);
            XaTestDatabase.debit(second, 1).run(conn);
        };
    }

    // ---------------------------------------------------------------------------------------------------------
    // Rollback of an idle branch, idempotency, unknown branches

    @Test
    void rollbackOfAnIdleBranchReleasesItsLocks() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);

        assertThat(xa.work(gid, "pay", XaTestDatabase.debit(account, 50))).isEqualTo(XaResult.APPLIED);
        assertThat(db.canUpdateWithoutWaiting(account)).isFalse();

        assertThat(xa.rollback(gid, "pay")).isEqualTo(XaResult.APPLIED);
        assertThat(xa.inFlight()).isZero();
        assertThat(db.canUpdateWithoutWaiting(account)).isTrue();
        assertThat(db.balance(account)).isEqualTo(150);
        assertThat(prepared()).isEmpty();

        assertThat(xa.prepare(gid, "pay")).as("prepare after rollback votes no").isEqualTo(XaResult.REFUSED);
        assertThat(xa.commit(gid, "pay")).as("commit after rollback contradicts it").isEqualTo(XaResult.REFUSED);
    }

    @Test
    void repeatedCallsAreIdempotent() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);
        AtomicInteger runs = new AtomicInteger();
        XaWork work = conn -> {
            runs.incrementAndGet();
            XaTestDatabase.debit(account, 50).run(conn);
        };

        assertThat(xa.work(gid, "pay", work)).isEqualTo(XaResult.APPLIED);
        assertThat(xa.work(gid, "pay", work)).isEqualTo(XaResult.DUPLICATE);
        assertThat(xa.prepare(gid, "pay")).isEqualTo(XaResult.APPLIED);
        assertThat(xa.prepare(gid, "pay")).isEqualTo(XaResult.DUPLICATE);
        assertThat(xa.work(gid, "pay", work)).isEqualTo(XaResult.DUPLICATE);
        assertThat(xa.commit(gid, "pay")).isEqualTo(XaResult.APPLIED);
        for (int i = 0; i < 2; i++) {
            XaResult again = xa.commit(gid, "pay");
            assertThat(again).isEqualTo(XaResult.DUPLICATE);
            assertThat(again.httpStatus()).isEqualTo(200);
        }
        assertThat(xa.prepare(gid, "pay").isSuccess()).isTrue();
        assertThat(xa.work(gid, "pay", work)).isEqualTo(XaResult.DUPLICATE);
        assertThat(xa.rollback(gid, "pay")).as("rollback after commit contradicts it").isEqualTo(XaResult.REFUSED);
        assertThat(runs.get()).isEqualTo(1);
        assertThat(db.balance(account)).isEqualTo(100);

        String other = newGid();
        assertThat(xa.work(other, "pay", XaTestDatabase.debit(account, 50))).isEqualTo(XaResult.APPLIED);
        assertThat(xa.prepare(other, "pay")).isEqualTo(XaResult.APPLIED);
        assertThat(xa.rollback(other, "pay")).isEqualTo(XaResult.APPLIED);
        assertThat(xa.rollback(other, "pay")).isEqualTo(XaResult.DUPLICATE);
        assertThat(xa.prepare(other, "pay")).isEqualTo(XaResult.REFUSED);
        assertThat(db.balance(account)).isEqualTo(100);
        assertThat(prepared()).isEmpty();
    }

    @Test
    void commitAndRollbackOfAnUnknownXidSucceed() throws SQLException {
        XaResult commit = xa.commit(newGid(), "never");
        assertThat(commit).isEqualTo(XaResult.DUPLICATE);
        assertThat(commit.httpStatus()).isEqualTo(200);

        String gid = newGid();
        String account = newAccount(150);
        XaResult rollback = xa.rollback(gid, "pay");
        assertThat(rollback).isEqualTo(XaResult.DUPLICATE);
        assertThat(rollback.httpStatus()).isEqualTo(200);
        // A work that arrives after its rollback (it was delayed in the network) must not take locks for good.
        assertThat(xa.work(gid, "pay", XaTestDatabase.debit(account, 50))).isEqualTo(XaResult.REFUSED);
        assertThat(xa.inFlight()).isZero();
        assertThat(db.balance(account)).isEqualTo(150);
    }

    @Test
    void prepareOfAnUnknownBranchVotesNo() throws SQLException {
        XaResult vote = xa.prepare(newGid(), "lost");
        assertThat(vote).isEqualTo(XaResult.REFUSED);
        assertThat(vote.httpStatus()).isEqualTo(409);
        assertThat(prepared()).isEmpty();
    }

    @Test
    void handleReadsTheOperationFromHeaders() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);
        assertThat(xa.work(gid, "pay", XaTestDatabase.debit(account, 50))).isEqualTo(XaResult.APPLIED);

        assertThat(xa.handle(Map.of(Headers.OP, "prepare", Headers.GID, gid, Headers.BRANCH_ID, "pay")::get).httpStatus())
                .isEqualTo(200);
        assertThat(xa.handle("COMMIT", gid, "pay").httpStatus()).isEqualTo(200);
        assertThat(xa.handle(XaOp.ROLLBACK, gid, "pay").httpStatus()).isEqualTo(409);
        assertThat(db.balance(account)).isEqualTo(100);

        assertThatThrownBy(() -> xa.handle("confirm", gid, "pay")).isInstanceOf(InvalidInputException.class)
                .extracting(e -> ((InvalidInputException) e).field()).isEqualTo(Headers.OP);
        assertThatThrownBy(() -> xa.handle(Map.of(Headers.OP, "commit", Headers.GID, gid)::get))
                .isInstanceOf(InvalidInputException.class)
                .extracting(e -> ((InvalidInputException) e).field()).isEqualTo(Headers.BRANCH_ID);
        assertThatThrownBy(() -> xa.prepare(gid, "bad id")).isInstanceOf(InvalidInputException.class)
                .extracting(e -> ((InvalidInputException) e).field()).isEqualTo("branchId");
        assertThatThrownBy(() -> xa.work("x".repeat(65), "pay", conn -> { }))
                .isInstanceOf(InvalidInputException.class)
                .extracting(e -> ((InvalidInputException) e).field()).isEqualTo("gid");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Calls that meet a branch still busy

    @Test
    void coordinatorCallsWhileTheWorkRunsAnswerTryLater() throws Exception {
        String gid = newGid();
        String account = newAccount(150);
        CountDownLatch inWork = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        try {
            Future<XaResult> work = pool.submit(() -> xa.work(gid, "pay", conn -> {
                XaTestDatabase.debit(account, 50).run(conn);
                inWork.countDown();
                assertThat(release.await(60, TimeUnit.SECONDS)).isTrue();
            }));
            assertThat(inWork.await(60, TimeUnit.SECONDS)).isTrue();

            assertThat(xa.work(gid, "pay", conn -> { })).as("same branch, second call").isEqualTo(XaResult.RETRY);
            assertThat(xa.prepare(gid, "pay")).isEqualTo(XaResult.RETRY);
            assertThat(xa.commit(gid, "pay")).isEqualTo(XaResult.RETRY);
            assertThat(xa.inFlight()).as("the commit changed nothing").isEqualTo(1);
            // An abort while the work runs: answered at once, without waiting for the branch; the work rolls the
            // branch back when it ends, instead of leaving it idle with its locks until the rollback's retry.
            assertThat(xa.rollback(gid, "pay")).isEqualTo(XaResult.RETRY);
            release.countDown();
            assertThat(work.get(60, TimeUnit.SECONDS)).isEqualTo(XaResult.REFUSED);
            assertThat(xa.inFlight()).isZero();
            assertThat(db.canUpdateWithoutWaiting(account)).as("its locks are gone").isTrue();
            assertThat(xa.rollback(gid, "pay").isSuccess()).as("the coordinator's retry").isTrue();
            assertThat(xa.work(gid, "pay", conn -> { })).as("a late repeat of the work").isEqualTo(XaResult.REFUSED);
        } finally {
            release.countDown();
            pool.shutdown();
        }
        assertThat(db.balance(account)).isEqualTo(150);
    }

    @Test
    void manyBranchesInParallel() throws Exception {
        int n = 24;
        String account = newAccount(10_000);
        List<String> accounts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            accounts.add(newAccount(100));
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<List<XaResult>>> results = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String gid = newGid();
                String own = accounts.get(i);
                boolean commit = i % 3 != 0;
                results.add(pool.submit(() -> List.of(
                        xa.work(gid, "own", XaTestDatabase.debit(own, 10)),
                        xa.prepare(gid, "own"),
                        commit ? xa.commit(gid, "own") : xa.rollback(gid, "own"))));
            }
            for (Future<List<XaResult>> f : results) {
                assertThat(f.get(120, TimeUnit.SECONDS)).containsOnly(XaResult.APPLIED);
            }
        } finally {
            pool.shutdown();
        }
        for (int i = 0; i < n; i++) {
            assertThat(db.balance(accounts.get(i))).isEqualTo(i % 3 != 0 ? 90 : 100);
        }
        assertThat(db.balance(account)).isEqualTo(10_000);
        assertThat(prepared()).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Idle timeout and close

    @Test
    void idleBranchIsRolledBackAfterTheIdleTimeout() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);
        assertThat(xa.work(gid, "pay", XaTestDatabase.debit(account, 50))).isEqualTo(XaResult.APPLIED);

        clock.advance(IDLE.minusSeconds(1));
        assertThat(xa.expireIdle()).isZero();
        assertThat(xa.inFlight()).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        RecoveryReport pass = xa.runOnce();
        assertThat(pass.idleRolledBack()).isEqualTo(1);
        assertThat(xa.inFlight()).isZero();
        assertThat(db.canUpdateWithoutWaiting(account)).isTrue();
        assertThat(xa.prepare(gid, "pay")).as("the prepare that comes too late").isEqualTo(XaResult.REFUSED);
        assertThat(db.balance(account)).isEqualTo(150);
    }

    @Test
    void closeRollsBackIdleBranchesAndLeavesPreparedOnesToRecovery() throws SQLException {
        String idle = newGid();
        String prepared = newGid();
        String account = newAccount(150);
        String other = newAccount(150);
        assertThat(xa.work(idle, "pay", XaTestDatabase.debit(account, 50))).isEqualTo(XaResult.APPLIED);
        assertThat(xa.work(prepared, "pay", XaTestDatabase.debit(other, 50))).isEqualTo(XaResult.APPLIED);
        assertThat(xa.prepare(prepared, "pay")).isEqualTo(XaResult.APPLIED);

        closeAndAwaitSessionsGone();
        assertThat(xa.inFlight()).isZero();
        assertThat(db.canUpdateWithoutWaiting(account)).isTrue();
        assertThat(prepared()).containsExactly(prepared + "/pay");
        assertThat(xa.prepare(prepared, "pay")).as("closed: try later").isEqualTo(XaResult.RETRY);
        assertThatThrownBy(() -> xa.work(newGid(), "pay", conn -> { })).isInstanceOf(IllegalStateException.class);

        xa = participant();
        coordinator.status(prepared, "COMMITTED");
        RecoveryReport r = xa.recoverOnce();
        assertThat(r.committed()).isEqualTo(1);
        assertThat(db.balance(account)).isEqualTo(150);
        assertThat(db.balance(other)).isEqualTo(100);
        assertThat(prepared()).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Recovery after a restart

    @Test
    void restartedParticipantCommitsWhatTheCoordinatorCommitted() throws SQLException {
        String committing = newGid();
        String committed = newGid();
        String a = newAccount(150);
        String b = newAccount(150);
        prepare(committing, "pay", a);
        prepare(committed, "pay", b);
        restart();
        coordinator.status(committing, "COMMITTING");
        coordinator.status(committed, "COMMITTED");

        RecoveryReport r = xa.recoverOnce();
        assertThat(r.prepared()).isEqualTo(2);
        assertThat(r.committed()).isEqualTo(2);
        assertThat(r.settled()).isEqualTo(2);
        assertThat(r.pending()).isZero();
        assertThat(db.balance(a)).isEqualTo(100);
        assertThat(db.balance(b)).isEqualTo(100);
        assertThat(prepared()).isEmpty();
        assertThat(xa.recoverOnce().prepared()).isZero();
        // The coordinator's own phase 2 arriving afterwards still succeeds.
        assertThat(xa.commit(committing, "pay")).isEqualTo(XaResult.DUPLICATE);
    }

    @Test
    void restartedParticipantRollsBackWhatTheCoordinatorAborted() throws SQLException {
        String aborting = newGid();
        String aborted = newGid();
        String a = newAccount(150);
        prepare(aborting, "pay", a);
        prepare(aborted, "pay", newAccount(150));
        restart();
        coordinator.status(aborting, "ABORTING");
        coordinator.status(aborted, "ABORTED");

        RecoveryReport r = xa.recoverOnce();
        assertThat(r.rolledBack()).isEqualTo(2);
        assertThat(db.balance(a)).isEqualTo(150);
        assertThat(prepared()).isEmpty();
    }

    @Test
    void restartedParticipantAnswersPhaseOneAndTwoFromTheDatabase() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);
        prepare(gid, "pay", account);
        restart();

        assertThat(xa.prepare(gid, "pay")).as("repeated prepare after restart: yes").isEqualTo(XaResult.DUPLICATE);
        assertThat(xa.prepare(gid, "other")).as("a branch lost in the restart: no").isEqualTo(XaResult.REFUSED);
        assertThat(xa.commit(gid, "pay")).isEqualTo(XaResult.APPLIED);
        assertThat(db.balance(account)).isEqualTo(100);
        assertThat(prepared()).isEmpty();
    }

    @Test
    void undecidedAndUnreachableAreLeftAlone() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);
        prepare(gid, "pay", account);
        restart();

        coordinator.status(gid, "ACTIVE");
        RecoveryReport undecided = xa.recoverOnce();
        assertThat(undecided.undecided()).isEqualTo(1);
        assertThat(undecided.settled()).isZero();
        assertThat(prepared()).containsExactly(gid + "/pay");

        coordinator.down(true);
        clock.advance(GRACE.multipliedBy(10));
        try {
            RecoveryReport unreachable = xa.recoverOnce();
            assertThat(unreachable.unreachable()).isEqualTo(1);
            assertThat(unreachable.settled()).isZero();
        } finally {
            coordinator.down(false);
        }
        assertThat(prepared()).containsExactly(gid + "/pay");

        coordinator.status(gid, "ABORTING");
        assertThat(xa.recoverOnce().rolledBack()).isEqualTo(1);
        assertThat(db.balance(account)).isEqualTo(150);
        assertThat(prepared()).isEmpty();
    }

    @Test
    void orphanIsRolledBackOnlyAfterTheGracePeriod() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);
        prepare(gid, "pay", account);
        restart();

        RecoveryReport first = xa.recoverOnce();
        assertThat(first.orphansWaiting()).isEqualTo(1);
        assertThat(first.orphansRolledBack()).isZero();

        clock.advance(GRACE.minusSeconds(1));
        assertThat(xa.recoverOnce().orphansWaiting()).isEqualTo(1);
        assertThat(prepared()).containsExactly(gid + "/pay");

        clock.advance(Duration.ofSeconds(1));
        RecoveryReport late = xa.recoverOnce();
        assertThat(late.orphansRolledBack()).isEqualTo(1);
        assertThat(late.orphansWaiting()).isZero();
        assertThat(db.balance(account)).isEqualTo(150);
        assertThat(prepared()).isEmpty();
    }

    @Test
    void orphanThatTheCoordinatorTurnsOutToKnowIsNotRolledBack() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);
        prepare(gid, "pay", account);
        restart();

        assertThat(xa.recoverOnce().orphansWaiting()).isEqualTo(1);
        coordinator.status(gid, "ACTIVE");
        clock.advance(GRACE.plusSeconds(1));
        assertThat(xa.recoverOnce().undecided()).isEqualTo(1);

        // Unknown again: the grace period starts over.
        coordinator.forget(gid);
        assertThat(xa.recoverOnce().orphansWaiting()).isEqualTo(1);
        assertThat(prepared()).containsExactly(gid + "/pay");

        coordinator.status(gid, "COMMITTING");
        assertThat(xa.recoverOnce().committed()).isEqualTo(1);
        assertThat(db.balance(account)).isEqualTo(100);
    }

    @Test
    void recoveryLeavesBranchesPreparedHereMomentsAgoToTheCoordinator() throws SQLException {
        xa.close();
        xa = builder().recoveryDelay(Duration.ofSeconds(30)).build();
        String gid = newGid();
        String account = newAccount(150);
        prepare(gid, "pay", account);
        coordinator.status(gid, "COMMITTING");

        RecoveryReport now = xa.recoverOnce();
        assertThat(now.inFlight()).isEqualTo(1);
        assertThat(now.committed()).isZero();

        clock.advance(Duration.ofSeconds(30));
        assertThat(xa.recoverOnce().committed()).isEqualTo(1);
        assertThat(db.balance(account)).isEqualTo(100);
        assertThat(xa.commit(gid, "pay")).isEqualTo(XaResult.DUPLICATE);
    }

    @Test
    void recoveryTouchesOnlyTheBranchesItIsGiven() throws SQLException {
        String gid = newGid();
        String account = newAccount(150);
        prepare(gid, "other-service", account);
        restart();
        xa.close();
        xa = builder().recoverOnlyBranchesStartingWith("mine-").build();
        clock.advance(GRACE.multipliedBy(10));

        RecoveryReport r = xa.recoverOnce();
        assertThat(r.foreign()).isGreaterThanOrEqualTo(1);
        assertThat(r.prepared()).isZero();
        assertThat(prepared()).containsExactly(gid + "/other-service");

        coordinator.status(gid, "ABORTED");
        xa.close();
        xa = participant();
        assertThat(xa.recoverOnce().rolledBack()).isEqualTo(1);
        assertThat(prepared()).isEmpty();
    }

    @Test
    void backgroundLoopRecoversAtStart() throws Exception {
        String gid = newGid();
        String account = newAccount(150);
        prepare(gid, "pay", account);
        restart();
        coordinator.status(gid, "COMMITTED");
        xa.close();
        xa = builder().recoveryInterval(Duration.ofMillis(50)).build();

        xa.start();
        for (int i = 0; i < 600 && !prepared().isEmpty(); i++) {
            Thread.sleep(50);
        }
        assertThat(prepared()).isEmpty();
        assertThat(db.balance(account)).isEqualTo(100);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Connections: pooled, reused, replaced when broken

    @Test
    void connectionsAreReusedAcrossManyTransactions() throws Exception {
        CountingXaDataSource counting = new CountingXaDataSource(dataSource);
        xa.close();
        xa = builder(counting).build();
        String from = newAccount(10_000);
        String to = newAccount(0);
        for (int i = 0; i < 30; i++) {
            String gid = newGid();
            boolean commit = i % 5 != 0;
            assertThat(xa.work(gid, "debit", XaTestDatabase.debit(from, 1))).isEqualTo(XaResult.APPLIED);
            assertThat(xa.work(gid, "credit", XaTestDatabase.debit(to, -1))).isEqualTo(XaResult.APPLIED);
            assertThat(xa.prepare(gid, "debit")).isEqualTo(XaResult.APPLIED);
            assertThat(xa.prepare(gid, "credit")).isEqualTo(XaResult.APPLIED);
            for (String branch : List.of("debit", "credit")) {
                assertThat(commit ? xa.commit(gid, branch) : xa.rollback(gid, branch)).isEqualTo(XaResult.APPLIED);
            }
        }
        assertThat(db.balance(from)).isEqualTo(10_000 - 24);
        assertThat(db.balance(to)).isEqualTo(24);
        // Two branches are idle at once, nothing more: every other work borrows one of those two. Phase 2 and
        // checks use the one reserved connection that build() opened.
        assertThat(xa.pool().opened()).as("work connections opened for 30 transactions of 2 branches").isEqualTo(2);
        assertThat(xa.phaseTwoPool().opened()).as("reserved connections opened").isEqualTo(1);
        assertThat(counting.opened()).isEqualTo(3);

        int threads = 6;
        List<String> accounts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            accounts.add(newAccount(100));
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String own = accounts.get(t);
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 5; i++) {
                        String gid = newGid();
                        assertThat(xa.work(gid, "own", XaTestDatabase.debit(own, 1))).isEqualTo(XaResult.APPLIED);
                        assertThat(xa.prepare(gid, "own")).isEqualTo(XaResult.APPLIED);
                        assertThat(xa.commit(gid, "own")).isEqualTo(XaResult.APPLIED);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
        for (String own : accounts) {
            assertThat(db.balance(own)).isEqualTo(95);
        }
        // Each thread holds at most one work connection at a time, and one reserved one for its commit.
        assertThat(xa.pool().open()).as("work connections open after %d threads x 5 transactions", threads)
                .isLessThanOrEqualTo(threads);
        assertThat(xa.phaseTwoPool().open()).isLessThanOrEqualTo(xa.phaseTwoPool().max());
        assertThat(xa.pool().open() + xa.phaseTwoPool().open()).isEqualTo(counting.open());
        assertThat(xa.pool().idle() + xa.phaseTwoPool().idle()).as("all back in the pools").isEqualTo(counting.open());

        xa.close();
        assertThat(counting.open()).as("close() closes every connection").isZero();
    }

    @Test
    void brokenPooledConnectionIsReplaced() throws Exception {
        CountingXaDataSource counting = new CountingXaDataSource(dataSource);
        xa.close();
        xa = builder(counting).build();
        String account = newAccount(150);
        String warm = newGid();
        prepare(warm, "warm", account);
        assertThat(xa.commit(warm, "warm")).isEqualTo(XaResult.APPLIED);
        assertThat(xa.pool().idle()).isEqualTo(1);

        // The server ends the pooled sessions (a restart, an idle-session timeout, an administrator): the work
        // connection and the reserved one.
        assertThat(db.killDataSourceSessions()).isEqualTo(2);
        clock.advance(XaConnectionPool.VALIDATE_AFTER_IDLE); // idle long enough to be checked before reuse

        String gid = newGid();
        prepare(gid, "pay", account);
        assertThat(xa.commit(gid, "pay")).isEqualTo(XaResult.APPLIED);
        assertThat(db.balance(account)).isEqualTo(50);
        assertThat(xa.pool().opened()).as("a new work connection opened").isEqualTo(2);
        assertThat(xa.pool().open()).as("and the broken one closed").isEqualTo(1);
        assertThat(counting.closed()).as("broken connections closed").isPositive();
        assertThat(prepared()).isEmpty();
    }

    @Test
    void inDoubtBranchGivesUpItsSessionAfterTheRecoveryDelay() throws Exception {
        String gid = newGid();
        String account = newAccount(150);
        prepare(gid, "pay", account);
        coordinator.status(gid, "ACTIVE");

        clock.advance(Duration.ofSeconds(30)); // the default recovery delay
        RecoveryReport r = xa.recoverOnce();
        assertThat(r.undecided()).isEqualTo(1);
        assertThat(xa.holdsConnection(gid, "pay")).as("no session pinned by an in-doubt branch").isFalse();
        assertThat(prepared()).containsExactly(gid + "/pay");
        assertThat(db.canUpdateWithoutWaiting(account)).as("still locked").isFalse();

        // Phase 2 from another session. (MariaDB may need a moment to notice the closed session: the
        // coordinator retries a try-later.)
        XaResult commit = xa.commit(gid, "pay");
        for (int i = 0; i < 100 && commit == XaResult.RETRY; i++) {
            Thread.sleep(50);
            commit = xa.commit(gid, "pay");
        }
        assertThat(commit).isEqualTo(XaResult.APPLIED);
        assertThat(db.balance(account)).isEqualTo(100);
        assertThat(prepared()).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------
    // A participant process killed with its branch prepared, or idle

    @Test
    void preparedTransactionSurvivesTheDeathOfItsProcess() throws Exception {
        String gid = newGid();
        String account = newAccount(150);
        Process child = XaCrashChild.start(db, gid, "pay", account, 50, "prepare");
        child.destroyForcibly();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(prepared()).containsExactly(gid + "/pay");
        assertThat(db.balance(account)).isEqualTo(150);
        assertThat(db.canUpdateWithoutWaiting(account)).as("still locked by the prepared transaction").isFalse();

        coordinator.status(gid, "COMMITTING");
        RecoveryReport r = xa.recoverOnce();
        assertThat(r.committed()).isEqualTo(1);
        assertThat(db.balance(account)).isEqualTo(100);
        assertThat(prepared()).isEmpty();
    }

    @Test
    void idleBranchDiesWithItsProcess() throws Exception {
        String gid = newGid();
        String account = newAccount(150);
        Process child = XaCrashChild.start(db, gid, "pay", account, 50, "idle");
        child.destroyForcibly();
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();

        // The database notices the closed socket and rolls the unprepared branch back, releasing its locks.
        for (int i = 0; i < 100 && !db.canUpdateWithoutWaiting(account); i++) {
            Thread.sleep(100);
        }
        assertThat(db.canUpdateWithoutWaiting(account)).isTrue();
        assertThat(prepared()).isEmpty();
        assertThat(xa.prepare(gid, "pay")).as("the coordinator's prepare reaches the new process").isEqualTo(XaResult.REFUSED);
        assertThat(db.balance(account)).isEqualTo(150);
    }

    /** Work and prepare of one branch debiting 50 from {@code account}. */
    void prepare(String gid, String branchId, String account) {
        assertThat(xa.work(gid, branchId, XaTestDatabase.debit(account, 50))).isEqualTo(XaResult.APPLIED);
        assertThat(xa.prepare(gid, branchId)).isEqualTo(XaResult.APPLIED);
    }
}
