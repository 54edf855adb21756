package dev.pactum.client.xa;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6, item 1: the XA demo deadlocked. A prepared branch (decided COMMIT) held a hot row's lock; every pooled
 * connection was held by a work call waiting for that lock; the commit that would have released it needed a pooled
 * connection too, so nothing ever moved. Here many concurrent XA transactions (more than the pool has connections)
 * fight over ONE row on the real PostgreSQL and MariaDB, each driven as the coordinator drives it (work, prepare
 * every branch, then commit or roll back, phase 2 retried until acknowledged), and the test checks that every one
 * ends within a bound, consistently: each fully committed or fully rolled back, the row's value what the committed
 * ones made it, no prepared branch of ours left ({@code pg_prepared_xacts}, {@code XA RECOVER}), no connection
 * left lent. Every wait is bounded: a hang fails the test instead of hanging the build.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class XaHotRowContentionTest {
    /** Fewer connections than transactions, so that work queues for connections as well as for the row lock. */
    private static final int POOL = 4;
    private static final int TRANSACTIONS = 24;
    private static final int START_BALANCE = 1_000;
    /** How long all transactions of one test may take in all before it counts as a hang. */
    private static final Duration BOUND = Duration.ofSeconds(40);

    private final String gidPrefix = "hot" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "-";
    private final AtomicInteger seq = new AtomicInteger();
    private final Map<String, XaTestDatabase> dbs = new LinkedHashMap<>();
    private FakeCoordinator coordinator;
    private XaTestDatabase db;
    /** The participant of the hot row (the demo's payment service), with a small pool. */
    private XaParticipant xa;
    /** A second service on the same database that records each purchase (the demo's order service). */
    private XaParticipant orders;
    private ExecutorService pool;

    @BeforeAll
    void createDatabases() throws SQLException, IOException {
        coordinator = new FakeCoordinator();
        for (String kind : List.of("postgresql", "mariadb")) {
            XaTestDatabase d = XaTestDatabase.of(kind, XaTestDatabase.newName("pactum_hot_"));
            d.create();
            d.createAccounts();
            try (Connection c = d.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE TABLE purchase (gid VARCHAR(64) PRIMARY KEY)");
            }
            dbs.put(kind, d);
        }
    }

    @AfterEach
    void stop() {
        if (pool != null) {
            pool.shutdownNow();
        }
        if (xa != null) {
            xa.close(); // cuts off any work still running, rolls back idle branches
        }
        if (orders != null) {
            orders.close();
        }
    }

    @AfterAll
    void dropDatabases() throws SQLException {
        List<String> left = new ArrayList<>();
        for (XaTestDatabase d : dbs.values()) {
            for (String b : d.preparedBranches(gidPrefix)) { // clean up first, so one failure does not leak
                left.add(d.kind() + ": " + b);
                String[] p = b.split("/");
                d.rollbackWithSql(p[0], p[1]);
            }
            d.drop();
        }
        coordinator.close();
        assertThat(left).as("prepared transactions left behind").isEmpty();
    }

    private void open(String kind) throws SQLException {
        db = dbs.get(kind);
        xa = XaParticipant.builder(db.dataSource())
                .coordinator(coordinator.client)
                .maxConnections(POOL)
                .recoverOnly(b -> b.gid().startsWith(gidPrefix) && b.branchId().equals("hot"))
                .build();
        orders = XaParticipant.builder(db.dataSource())
                .coordinator(coordinator.client)
                .maxConnections(TRANSACTIONS / 2) // a purchase that finds none free aborts: also consistent
                .recoverOnly(b -> b.gid().startsWith(gidPrefix) && b.branchId().equals("log"))
                .build();
        pool = Executors.newVirtualThreadPerTaskExecutor();
    }

    private String newGid() {
        return gidPrefix + seq.incrementAndGet();
    }

    private String newHotRow() throws SQLException {
        String hot = "hot-" + seq.incrementAndGet();
        db.newAccount(hot, START_BALANCE);
        return hot;
    }

    /** A branch that takes 1 from the row and is prepared, holding the row's lock until its phase 2. */
    private String prepareOn(String hot) {
        String gid = newGid();
        assertThat(xa.work(gid, "hot", XaTestDatabase.debit(hot, 1))).isEqualTo(XaResult.APPLIED);
        assertThat(xa.prepare(gid, "hot")).isEqualTo(XaResult.APPLIED);
        return gid;
    }

    /** Starts {@link #TRANSACTIONS} calls at once, one per new gid. */
    private <T> Map<String, Future<T>> startMany(Function<String, T> call) {
        Map<String, Future<T>> started = new LinkedHashMap<>();
        for (int i = 0; i < TRANSACTIONS; i++) {
            String gid = newGid();
            started.put(gid, pool.submit(() -> call.apply(gid)));
        }
        return started;
    }

    // ---------------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"postgresql", "mariadb"})
    void manyTransactionsOnOneHotRowAllEndConsistently(String kind) throws Exception {
        open(kind);
        String hot = newHotRow();
        AtomicBoolean storm = new AtomicBoolean(true);
        List<String> recoveryFailures = new ArrayList<>();
        // Recovery runs all through the storm, as the background loop does: it must never wait behind the work.
        Future<?> recovery = pool.submit(() -> {
            while (storm.get()) {
                try {
                    xa.recoverOnce();
                } catch (RuntimeException e) {
                    synchronized (recoveryFailures) {
                        recoveryFailures.add(e.toString());
                    }
                }
                pause(20);
            }
            return null;
        });

        Map<String, Future<Outcome>> txs = startMany(gid -> purchase(gid, hot));
        Map<String, Outcome> outcomes = awaitAll(txs);
        storm.set(false);
        recovery.get(10, TimeUnit.SECONDS);

        assertConsistent(hot, outcomes, 0);
        assertThat(outcomes.values()).as("some transactions got through").contains(Outcome.COMMITTED);
        assertThat(recoveryFailures).as("recovery passes that failed during the storm").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"postgresql", "mariadb"})
    void commitOfAPreparedBranchDoesNotWaitForTheWorkQueuedBehindIt(String kind) throws Exception {
        open(kind);
        String hot = newHotRow();
        String blocker = prepareOn(hot);

        // Work queues behind the prepared branch's row lock until every work connection is taken.
        Map<String, Future<Outcome>> txs = startMany(gid -> purchase(gid, hot));
        awaitAllConnectionsLent();

        // The decision for the prepared branch arrives now: its commit must go through, not queue behind them.
        assertThat(xa.commit(blocker, "hot")).as("commit while every work connection waits for its lock")
                .isEqualTo(XaResult.APPLIED);
        assertConsistent(hot, awaitAll(txs), 1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"postgresql", "mariadb"})
    void workStuckBehindAPreparedBranchGivesUpAndFreesItsConnection(String kind) throws Exception {
        open(kind);
        String hot = newHotRow();
        String blocker = prepareOn(hot);

        // The decision for the blocker is held back (a slow coordinator) until every other work call has
        // answered: none can get the row lock, so each must give up on its own, roll back and free its connection.
        Map<String, Future<XaResult>> works = startMany(gid -> xa.work(gid, "hot", XaTestDatabase.debit(hot, 1)));
        Map<String, XaResult> answers = awaitAll(works);
        assertThat(new HashSet<>(answers.values())).as("answers of work that cannot get its lock")
                .containsOnly(XaResult.RETRY);
        assertThat(xa.inFlight()).as("branches still holding a connection").isZero();
        int heldByBlocker = kind.equals("mariadb") ? 1 : 0; // MariaDB: the preparing session, until phase 2
        assertThat(xa.pool().open() - xa.pool().idle()).as("work connections still lent").isEqualTo(heldByBlocker);
        for (String gid : answers.keySet()) {
            assertThat(xa.rollback(gid, "hot").isSuccess()).isTrue(); // the abort that the 425 leads to
        }

        String other = "acct-" + seq.incrementAndGet();
        db.newAccount(other, 10);
        String after = newGid();
        assertThat(xa.work(after, "other", XaTestDatabase.debit(other, 1))).as("a freed connection serves new work")
                .isEqualTo(XaResult.APPLIED);
        assertThat(xa.rollback(after, "other")).isEqualTo(XaResult.APPLIED);
        assertThat(xa.commit(blocker, "hot")).isEqualTo(XaResult.APPLIED);
        assertThat(db.balance(hot)).isEqualTo(START_BALANCE - 1);
        assertThat(db.preparedBranches(gidPrefix)).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------------------
    // One purchase, driven as the coordinator drives an XA transaction

    private enum Outcome { COMMITTED, ABORTED, STUCK }

    /**
     * Two branches of one XA transaction, each on its own participant as in the demo: "log" records the purchase,
     * "hot" takes 1 from the hot row. Any branch's work not answering 200 aborts the transaction (the transaction
     * manager's {@code PactumClient.xa} does so for 409 and 425 alike); otherwise every branch is prepared, and the
     * decision is commit only if all voted yes. Phase 2 is retried until acknowledged, within {@link #BOUND}.
     */
    private Outcome purchase(String gid, String hot) {
        long deadline = System.nanoTime() + BOUND.toNanos();
        Map<String, XaParticipant> branches = new LinkedHashMap<>(); // all registered: each gets its phase 2
        branches.put("log", orders);
        branches.put("hot", xa);
        boolean yes = orders.work(gid, "log", conn -> {
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO purchase (gid) VALUES (?)")) {
                ps.setString(1, gid);
                ps.executeUpdate();
            }
        }).isSuccess() && xa.work(gid, "hot", XaTestDatabase.debit(hot, 1)).isSuccess();
        if (yes) {
            for (Map.Entry<String, XaParticipant> b : branches.entrySet()) {
                // a 425 to a prepare counts as a no, as the coordinator does
                yes &= b.getValue().prepare(gid, b.getKey()).isSuccess();
            }
        }
        for (Map.Entry<String, XaParticipant> b : branches.entrySet()) {
            XaParticipant p = b.getValue();
            while (!(yes ? p.commit(gid, b.getKey()) : p.rollback(gid, b.getKey())).isSuccess()) {
                if (System.nanoTime() > deadline) {
                    return Outcome.STUCK;
                }
                pause(20);
            }
        }
        return yes ? Outcome.COMMITTED : Outcome.ABORTED;
    }

    // ---------------------------------------------------------------------------------------------------------

    private <T> Map<String, T> awaitAll(Map<String, Future<T>> futures) throws Exception {
        long deadline = System.nanoTime() + BOUND.toNanos();
        Map<String, T> out = new ConcurrentHashMap<>();
        List<String> unfinished = new ArrayList<>();
        for (Map.Entry<String, Future<T>> e : futures.entrySet()) {
            try {
                out.put(e.getKey(), e.getValue().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException t) {
                unfinished.add(e.getKey());
            }
        }
        assertThat(unfinished).as("transactions not ended within %s (%s; %s)", BOUND, xa, orders).isEmpty();
        return new LinkedHashMap<>(out);
    }

    private void awaitAllConnectionsLent() throws InterruptedException {
        for (int i = 0; i < 400 && !(xa.pool().open() == POOL && xa.pool().idle() == 0); i++) {
            Thread.sleep(25);
        }
        assertThat(xa.pool().open() - xa.pool().idle()).as("work connections lent (%s)", xa).isEqualTo(POOL);
    }

    /**
     * Each purchase fully committed (recorded and paid) or fully rolled back (neither), and the hot row is what
     * the committed ones (plus {@code otherCommits} debits of 1 outside the purchases) made it.
     */
    private void assertConsistent(String hot, Map<String, Outcome> purchases, int otherCommits) throws SQLException {
        assertThat(purchases.values()).as("transactions whose phase 2 never went through")
                .doesNotContain(Outcome.STUCK);
        Set<String> committed = new HashSet<>();
        purchases.forEach((gid, o) -> {
            if (o == Outcome.COMMITTED) {
                committed.add(gid);
            }
        });
        Set<String> recorded = new HashSet<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT gid FROM purchase WHERE gid LIKE ?")) {
            ps.setString(1, gidPrefix + "%");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    recorded.add(rs.getString(1));
                }
            }
        }
        recorded.retainAll(purchases.keySet()); // the table is shared by this class's tests on one database
        assertThat(recorded).as("purchases recorded = purchases committed").isEqualTo(committed);
        assertThat(db.balance(hot)).as("the hot row after %s commits", committed.size() + otherCommits)
                .isEqualTo(START_BALANCE - committed.size() - otherCommits);
        assertThat(db.preparedBranches(gidPrefix)).as("prepared branches left").isEmpty();
        assertThat(xa.inFlight() + orders.inFlight()).as("branches still holding a connection").isZero();
    }

    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
