package dev.pactum.demo;

import dev.pactum.api.BranchStatus;
import dev.pactum.api.BranchView;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.PactumException;
import dev.pactum.api.TransactionView;
import dev.pactum.client.PactumClient;
import dev.pactum.client.xa.XaIds;
import dev.pactum.core.Failpoints;
import dev.pactum.server.ServerMain;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Crash tests of XA two-phase commit with real processes and real databases (issue 3, items 3 and 4).
 *
 * <p>A coordinator ({@link ServerMain}), the payment service on PostgreSQL and the warehouse service on MariaDB
 * ({@link ServiceMain}, pattern xa) run as processes of their own; this JVM is the transaction manager: one
 * purchase = an XA transaction with a branch "payment" (user A pays 50 to the merchant) and a branch "warehouse"
 * (one book ships). Each test makes one process die as {@code kill -9} would, at one chosen moment: the
 * coordinator through its hidden {@code --failpoint}, a service through its own {@code --failpoint} or a SIGKILL
 * from the test. Then it restarts what died and checks, with plain SQL on the two databases, that every branch
 * committed (money moved, book shipped, both records there) or every branch rolled back (nothing changed),
 * consistently with the coordinator's final status, that no prepared transaction is left behind
 * ({@code pg_prepared_xacts}, {@code XA RECOVER}) and that no row lock is left held.
 *
 * <p>Isolation: the services get databases of their own ({@code xacrash_<random>} on both servers), created here
 * and dropped at the end, so other tests on the machine's {@code test} databases (same table names) are not
 * touched. MariaDB's {@code XA RECOVER} lists the whole server, so the checks there keep only this class's gids.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class XaCrashTest {
    private static final String PG_SERVER = "jdbc:postgresql://127.0.0.1:5432/";
    private static final String MARIA_SERVER = "jdbc:mariadb://127.0.0.1:3306/";
    private static final long A_BALANCE = 150;
    private static final long PRICE = 50;
    private static final int STOCK = 10;
    private static final Duration START = Duration.ofSeconds(60);
    private static final Duration SETTLE = Duration.ofSeconds(45);

    private Path work;
    private String database;
    private String pgUrl;
    private String mariaUrl;
    private Node coordinator;
    private Node payment;
    private Node warehouse;
    private HttpClient http;
    private PactumClient tm;
    private long testStart;
    private String current;
    private boolean noted;
    private final Set<String> gids = ConcurrentHashMap.newKeySet();
    private final List<String> summary = new ArrayList<>();

    // -----------------------------------------------------------------------------------------------------------
    // Coordinator crashes

    @Test
    void coordinatorKilledBeforeTheVote_presumedAbort_everyBranchRolledBack() throws Exception {
        coordinator.restart(Failpoints.XA_BEFORE_VOTE);
        Attempt a = purchase(() -> { });
        assertThat(a.failure()).as("the submit of %s must get no answer", a.gid()).isNotNull();
        coordinator.awaitHalt(Failpoints.XA_BEFORE_VOTE);
        List<Xid> atCrash = prepared();
        assertThat(atCrash).as("no prepare was sent: both branches are idle, none prepared").isEmpty();

        coordinator.start();
        TransactionView v = awaitFinal(a.gid());
        assertEveryBranchRolledBack(v);
        assertNothingLeftBehind();
        note(a, atCrash, v);
    }

    @Test
    void coordinatorKilledAfterTheVote_presumedAbort_everyBranchRolledBack() throws Exception {
        coordinator.restart(Failpoints.XA_AFTER_VOTE);
        Attempt a = purchase(() -> { });
        assertThat(a.failure()).as("the submit of %s must get no answer", a.gid()).isNotNull();
        coordinator.awaitHalt(Failpoints.XA_AFTER_VOTE);
        List<Xid> atCrash = prepared();
        assertThat(atCrash).as("both branches voted yes: both are prepared, no decision recorded")
                .containsExactlyInAnyOrder(xid("postgresql", a.gid(), "payment"), xid("mariadb", a.gid(), "warehouse"));

        coordinator.start();
        TransactionView v = awaitFinal(a.gid());
        assertEveryBranchRolledBack(v);
        assertThat(v.reason()).contains("presumed abort");
        assertNothingLeftBehind();
        note(a, atCrash, v);
    }

    @Test
    void coordinatorKilledAfterTheDecision_everyBranchCommitted() throws Exception {
        coordinator.restart(Failpoints.XA_AFTER_DECISION);
        Attempt a = purchase(() -> { });
        assertThat(a.failure()).as("the submit of %s must get no answer", a.gid()).isNotNull();
        coordinator.awaitHalt(Failpoints.XA_AFTER_DECISION);
        List<Xid> atCrash = prepared();
        assertThat(atCrash).as("the commit decision is durable but no branch has heard of it")
                .containsExactlyInAnyOrder(xid("postgresql", a.gid(), "payment"), xid("mariadb", a.gid(), "warehouse"));

        coordinator.start();
        TransactionView v = awaitFinal(a.gid());
        assertEveryBranchCommitted(v);
        assertNothingLeftBehind();
        note(a, atCrash, v);
    }

    /**
     * The failpoint halts after the first branch's acknowledgement is recorded; phase-2 calls go out in parallel,
     * so by then the second branch's commit has been sent too and only its acknowledgement is lost. The restarted
     * coordinator commits it again, which the participant answers as already done.
     */
    @Test
    void coordinatorKilledInPhaseTwo_secondAcknowledgementLost_everyBranchCommitted() throws Exception {
        coordinator.restart(Failpoints.MID_PHASE_TWO);
        Attempt a = purchase(() -> { });
        // Phase 2 runs after the submit answered: the answer (COMMITTING) may or may not get out before the halt.
        if (a.answer() != null) {
            assertThat(a.answer().status()).isEqualTo(GlobalStatus.COMMITTING);
        }
        coordinator.awaitHalt(Failpoints.MID_PHASE_TWO);
        List<Xid> atCrash = prepared();

        coordinator.start();
        TransactionView v = awaitFinal(a.gid());
        assertEveryBranchCommitted(v);
        assertNothingLeftBehind();
        note(a, atCrash, v);
    }

    /**
     * The real middle of phase 2: the coordinator dies after the payment committed while the warehouse, down too,
     * still holds its branch prepared. Both come back; the warehouse branch must commit.
     */
    @Test
    void coordinatorKilledInPhaseTwo_withTheWarehouseDownAndStillPrepared_everyBranchCommitted() throws Exception {
        coordinator.restart(Failpoints.MID_PHASE_TWO);
        warehouse.restart(XaAgent.BEFORE_COMMIT);
        Attempt a = purchase(() -> { });
        if (a.answer() != null) {
            assertThat(a.answer().status()).isEqualTo(GlobalStatus.COMMITTING);
        }
        warehouse.awaitHalt(XaAgent.BEFORE_COMMIT);
        coordinator.awaitHalt(Failpoints.MID_PHASE_TWO);
        List<Xid> atCrash = prepared();
        assertThat(atCrash).as("payment committed, warehouse still prepared")
                .containsExactly(xid("mariadb", a.gid(), "warehouse"));
        Snapshot half = snapshot();
        assertThat(half.payments()).as("payment branch committed before the crash").isEqualTo(Map.of(a.gid(), "PAID"));
        assertThat(half.shipments()).as("warehouse branch not committed yet").isEmpty();

        startAll(coordinator, warehouse);
        TransactionView v = awaitFinal(a.gid());
        assertEveryBranchCommitted(v);
        assertNothingLeftBehind();
        note(a, atCrash, v);
    }

    // -----------------------------------------------------------------------------------------------------------
    // Participant crashes

    /**
     * SIGKILL after the branch's work, before the submit: its idle XA branch dies with its database session, the
     * prepare finds no process (no vote), so the coordinator aborts; the rollback of the dead branch is retried
     * until the service is back, and then answers "already done".
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"payment", "warehouse"})
    void participantKilledAfterItsWorkBeforeTheVote_everyBranchRolledBack(String role) throws Exception {
        Node victim = node(role);
        Attempt a = purchase(victim::kill);
        assertThat(a.answer()).as("submit of %s", a.gid()).isNotNull();
        assertThat(a.answer().status()).isEqualTo(GlobalStatus.ABORTING);
        assertThat(a.answer().reason()).contains("branch " + role);
        List<Xid> atCrash = prepared();
        // (the other branch voted yes and may still be prepared for a moment, until its rollback lands)
        assertThat(atCrash).as("the killed %s branch was never prepared", role)
                .doesNotContain(xid(databaseOf(role), a.gid(), role));
        TransactionView down = tm.get(a.gid());
        assertThat(down.status()).as("the %s branch's rollback cannot be acknowledged while it is down", role)
                .isEqualTo(GlobalStatus.ABORTING);

        victim.start();
        TransactionView v = awaitFinal(a.gid());
        assertEveryBranchRolledBack(v);
        assertNothingLeftBehind();
        note(a, atCrash, v);
    }

    /**
     * The branch is prepared in the database, then the service halts before its "yes" goes out: to the
     * coordinator that is no vote, so it aborts. The prepared branch survives the process; the restarted service
     * (recovery at start, or the coordinator's retried rollback) must roll it back.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"payment", "warehouse"})
    void participantKilledAfterPreparingBeforeAnswering_everyBranchRolledBack(String role) throws Exception {
        Node victim = node(role);
        victim.restart(XaAgent.AFTER_PREPARE);
        Attempt a = purchase(() -> { });
        assertThat(a.answer()).as("submit of %s", a.gid()).isNotNull();
        assertThat(a.answer().status()).isEqualTo(GlobalStatus.ABORTING);
        assertThat(a.answer().reason()).contains("branch " + role);
        victim.awaitHalt(XaAgent.AFTER_PREPARE);
        List<Xid> atCrash = prepared();
        assertThat(atCrash).as("the %s branch is prepared in its database while its service is down", role)
                .contains(xid(databaseOf(role), a.gid(), role));

        victim.start();
        TransactionView v = awaitFinal(a.gid());
        assertEveryBranchRolledBack(v);
        assertNothingLeftBehind();
        note(a, atCrash, v);
    }

    /**
     * The branch voted yes, the coordinator decided commit, and the service halts when the commit call arrives:
     * the branch is in doubt, prepared in its database with no process. The coordinator keeps retrying; the
     * restarted service finds the branch and commits it. (A service that dies right after sending its yes, before
     * the decision is recorded, leaves the same state: the decision depends only on the votes received.)
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"payment", "warehouse"})
    void participantKilledAfterItsYesBeforePhaseTwo_everyBranchCommitted(String role) throws Exception {
        Node victim = node(role);
        String other = role.equals("payment") ? "warehouse" : "payment";
        victim.restart(XaAgent.BEFORE_COMMIT);
        Attempt a = purchase(() -> { });
        assertThat(a.answer()).as("submit of %s", a.gid()).isNotNull();
        assertThat(a.answer().status()).isEqualTo(GlobalStatus.COMMITTING);
        victim.awaitHalt(XaAgent.BEFORE_COMMIT);
        // While the victim is down: the other branch commits, the victim's commit is retried, nothing finishes.
        TransactionView down = awaitBranches(a.gid(), "the " + other + " branch CONFIRMED and the " + role
                        + " commit tried again while its service is down",
                // attempts: the prepare, then at least two commits
                t -> branch(t, other).status() == BranchStatus.CONFIRMED && branch(t, role).attempts() >= 3);
        assertThat(down.status()).isEqualTo(GlobalStatus.COMMITTING);
        assertThat(branch(down, role).status()).isNotEqualTo(BranchStatus.CONFIRMED);
        List<Xid> atCrash = prepared();
        assertThat(atCrash).as("the %s branch is in doubt: prepared, its service down", role)
                .containsExactly(xid(databaseOf(role), a.gid(), role));

        victim.start();
        TransactionView v = awaitFinal(a.gid());
        assertEveryBranchCommitted(v);
        assertNothingLeftBehind();
        note(a, atCrash, v);
    }

    /**
     * The participant's middle of phase 2: its branch is committed in the database, then the service halts before
     * the acknowledgement goes out. The coordinator retries the commit; the restarted service, which remembers
     * nothing and finds no such xid prepared, must answer "already done", and nothing may be applied twice.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"payment", "warehouse"})
    void participantKilledAfterCommittingBeforeAnswering_everyBranchCommittedOnce(String role) throws Exception {
        Node victim = node(role);
        String other = role.equals("payment") ? "warehouse" : "payment";
        victim.restart(XaAgent.AFTER_COMMIT);
        Attempt a = purchase(() -> { });
        assertThat(a.answer()).as("submit of %s", a.gid()).isNotNull();
        assertThat(a.answer().status()).isEqualTo(GlobalStatus.COMMITTING);
        victim.awaitHalt(XaAgent.AFTER_COMMIT);
        TransactionView down = awaitBranches(a.gid(), "the " + other + " branch CONFIRMED and the " + role
                        + " commit tried again while its service is down",
                t -> branch(t, other).status() == BranchStatus.CONFIRMED && branch(t, role).attempts() >= 3);
        assertThat(down.status()).isEqualTo(GlobalStatus.COMMITTING);
        assertThat(branch(down, role).status()).isNotEqualTo(BranchStatus.CONFIRMED);
        List<Xid> atCrash = prepared();
        assertThat(atCrash).as("both branches are committed, none prepared").isEmpty();
        Snapshot s = snapshot();
        assertThat(s.payments()).as("payment committed while the coordinator still waits").isEqualTo(
                Map.of(a.gid(), "PAID"));
        assertThat(s.shipments()).as("shipment committed while the coordinator still waits").isEqualTo(
                Map.of(a.gid(), "SHIPPED"));

        victim.start();
        TransactionView v = awaitFinal(a.gid());
        assertEveryBranchCommitted(v);
        assertNothingLeftBehind();
        note(a, atCrash, v);
    }

    // -----------------------------------------------------------------------------------------------------------
    // The transaction manager's side

    /** One purchase; {@code failure} is set when the submit got no answer (the coordinator died). */
    private record Attempt(String gid, TransactionView answer, PactumException failure) {
    }

    @FunctionalInterface
    private interface Step {
        void run() throws Exception;
    }

    /** User A pays {@value #PRICE} for one book: branch "payment" then branch "warehouse", then the submit. */
    private Attempt purchase(Step beforeSubmit) {
        String[] gid = new String[1];
        boolean[] bodyDone = new boolean[1];
        try {
            TransactionView v = tm.xa(Duration.ofSeconds(30), tx -> {
                gid[0] = tx.gid();
                gids.add(tx.gid());
                tx.call("payment", payment.url() + "/xa", payment.url() + "/xa/payment/pay",
                        "{\"userId\":\"A\",\"amount\":" + PRICE + "}");
                tx.call("warehouse", warehouse.url() + "/xa", warehouse.url() + "/xa/stock/ship",
                        "{\"sku\":\"book\",\"qty\":1}");
                beforeSubmit.run();
                bodyDone[0] = true;
            });
            return new Attempt(v.gid(), v, null);
        } catch (PactumException e) {
            if (!bodyDone[0]) {
                throw new AssertionError("the branch work of " + gid[0] + " failed before the submit; logs in "
                        + logs(), e);
            }
            return new Attempt(gid[0], null, e);
        }
    }

    private TransactionView awaitFinal(String gid) throws InterruptedException {
        TransactionView v = tm.awaitFinal(gid, SETTLE);
        assertThat(v.status().isFinal()).as("%s is still %s after %s; branches %s; logs in %s", gid, v.status(), SETTLE,
                describe(v), logs()).isTrue();
        return v;
    }

    private TransactionView awaitBranches(String gid, String what, Predicate<TransactionView> done)
            throws InterruptedException {
        long deadline = System.nanoTime() + SETTLE.toNanos();
        TransactionView v = tm.get(gid);
        while (!done.test(v)) {
            assertThat(System.nanoTime()).as("waited %s for %s; %s is %s, branches %s; logs in %s", SETTLE, what, gid,
                    v.status(), describe(v), logs()).isLessThan(deadline);
            Thread.sleep(50);
            v = tm.get(gid);
        }
        return v;
    }

    private static BranchView branch(TransactionView v, String branchId) {
        return v.branches().stream().filter(b -> b.branchId().equals(branchId)).findFirst()
                .orElseThrow(() -> new AssertionError(v.gid() + " has no branch " + branchId + ": " + describe(v)));
    }

    private static String describe(TransactionView v) {
        return v.branches().stream().map(b -> b.branchId() + "=" + b.status() + " (attempts " + b.attempts()
                + (b.lastError() == null ? "" : ", last error: " + b.lastError()) + ")").toList().toString();
    }

    // -----------------------------------------------------------------------------------------------------------
    // Checks on the databases themselves

    /** Every branch committed: the coordinator says so, and so do both databases. */
    private void assertEveryBranchCommitted(TransactionView v) throws SQLException {
        assertThat(v.status()).as("%s: %s", v.gid(), v.reason()).isEqualTo(GlobalStatus.COMMITTED);
        assertThat(v.branches()).extracting(BranchView::branchId, BranchView::status).containsExactlyInAnyOrder(
                tuple("payment", BranchStatus.CONFIRMED), tuple("warehouse", BranchStatus.CONFIRMED));
        Snapshot s = snapshot();
        assertThat(s.balances()).as("PostgreSQL: A paid %s to the merchant", PRICE)
                .isEqualTo(Map.of("A", A_BALANCE - PRICE, PaymentService.MERCHANT, PRICE));
        assertThat(s.payments()).as("PostgreSQL: the payment record").isEqualTo(Map.of(v.gid(), "PAID"));
        assertThat(s.book()).as("MariaDB: book available/reserved/shipped").containsExactly(STOCK - 1, 0, 1);
        assertThat(s.shipments()).as("MariaDB: the shipment record").isEqualTo(Map.of(v.gid(), "SHIPPED"));
    }

    /** Every branch rolled back: the coordinator says so, and both databases are as they were. */
    private void assertEveryBranchRolledBack(TransactionView v) throws SQLException {
        assertThat(v.status()).as("%s: %s", v.gid(), v.reason()).isEqualTo(GlobalStatus.ABORTED);
        assertThat(v.branches()).extracting(BranchView::branchId, BranchView::status).containsExactlyInAnyOrder(
                tuple("payment", BranchStatus.CANCELLED), tuple("warehouse", BranchStatus.CANCELLED));
        Snapshot s = snapshot();
        assertThat(s.balances()).as("PostgreSQL: no money moved")
                .isEqualTo(Map.of("A", A_BALANCE, PaymentService.MERCHANT, 0L));
        assertThat(s.payments()).as("PostgreSQL: no payment record").isEmpty();
        assertThat(s.book()).as("MariaDB: book available/reserved/shipped").containsExactly(STOCK, 0, 0);
        assertThat(s.shipments()).as("MariaDB: no shipment record").isEmpty();
    }

    /** Item 3 of the issue: no prepared transaction left, and (the same bug seen from the rows) no lock held. */
    private void assertNothingLeftBehind() throws SQLException {
        assertThat(prepared()).as("prepared XA transactions left in pg_prepared_xacts / XA RECOVER").isEmpty();
        assertThat(lockedRows()).as("rows still locked").isEmpty();
    }

    private record Snapshot(Map<String, Long> balances, Map<String, String> payments, List<Integer> book,
                            Map<String, String> shipments) {
    }

    private Snapshot snapshot() throws SQLException {
        Map<String, Long> balances = new TreeMap<>();
        Map<String, String> payments = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(pgUrl, "postgres", null); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT user_id, balance, frozen FROM pay_account")) {
                while (rs.next()) {
                    assertThat(rs.getLong(3)).as("frozen of %s (XA freezes nothing)", rs.getString(1)).isZero();
                    balances.put(rs.getString(1), rs.getLong(2));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT gid, status FROM pay_record")) {
                while (rs.next()) {
                    payments.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        List<Integer> book = new ArrayList<>();
        Map<String, String> shipments = new TreeMap<>();
        try (Connection c = DriverManager.getConnection(mariaUrl, "root", null); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT available, reserved, shipped FROM wh_stock WHERE sku = 'book'")) {
                while (rs.next()) {
                    book.addAll(List.of(rs.getInt(1), rs.getInt(2), rs.getInt(3)));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT gid, status FROM wh_reservation")) {
                while (rs.next()) {
                    shipments.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return new Snapshot(balances, payments, book, shipments);
    }

    /** A prepared Pactum branch as a database lists it. */
    private record Xid(String database, String gid, String branchId) {
    }

    private static Xid xid(String database, String gid, String branchId) {
        return new Xid(database, gid, branchId);
    }

    private static String databaseOf(String role) {
        return role.equals("payment") ? "postgresql" : "mariadb";
    }

    /**
     * Prepared Pactum branches of this class: all of {@code pg_prepared_xacts} in its own PostgreSQL database;
     * of MariaDB's server-wide {@code XA RECOVER}, those whose gid this class made.
     */
    private List<Xid> prepared() throws SQLException {
        List<Xid> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(pgUrl, "postgres", null);
             PreparedStatement ps = c.prepareStatement(
                     "SELECT gid FROM pg_prepared_xacts WHERE database = current_database() ORDER BY prepared");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                // The driver's form: formatId_Base64(gtrid)_Base64(bqual); anything else is not Pactum's
                String[] p = rs.getString(1).split("_");
                if (p.length == 3 && p[0].equals(Integer.toString(XaIds.FORMAT_ID))) {
                    out.add(xid("postgresql", decode(p[1]), decode(p[2])));
                } else {
                    out.add(xid("postgresql", rs.getString(1), "(not a Pactum xid)"));
                }
            }
        }
        try (Connection c = DriverManager.getConnection(mariaUrl, "root", null);
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("XA RECOVER")) {
            while (rs.next()) {
                if (rs.getLong("formatID") != XaIds.FORMAT_ID) {
                    continue;
                }
                String data = rs.getString("data");
                int g = rs.getInt("gtrid_length");
                String gid = data.substring(0, g);
                if (gids.contains(gid)) {
                    out.add(xid("mariadb", gid, data.substring(g)));
                }
            }
        }
        return out;
    }

    private static String decode(String b64) {
        return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
    }

    /** Rows of the purchase that another transaction could not lock at once (an XA branch still holds them). */
    private List<String> lockedRows() throws SQLException {
        List<String> out = new ArrayList<>();
        if (!lockable(pgUrl, "postgres", "SELECT user_id FROM pay_account FOR UPDATE NOWAIT")) {
            out.add("PostgreSQL pay_account");
        }
        if (!lockable(mariaUrl, "root", "SELECT sku FROM wh_stock FOR UPDATE NOWAIT")) {
            out.add("MariaDB wh_stock");
        }
        return out;
    }

    private static boolean lockable(String url, String user, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, null)) {
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeQuery(sql).close();
                return true;
            } catch (SQLException locked) {
                if ("55P03".equals(locked.getSQLState()) || locked.getErrorCode() == 1205) {
                    return false;
                }
                throw locked;
            } finally {
                c.rollback();
            }
        }
    }

    // -----------------------------------------------------------------------------------------------------------
    // Set-up

    @BeforeAll
    void startEverything() throws Exception {
        work = Path.of("target", "xa-crash").toAbsolutePath();
        deleteTree(work);
        Files.createDirectories(work);
        StringBuilder r = new StringBuilder("xacrash_");
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 8; i++) {
            r.append((char) ('a' + random.nextInt(26)));
        }
        database = r.toString();
        pgUrl = PG_SERVER + database;
        mariaUrl = MARIA_SERVER + database;
        try (Connection c = DriverManager.getConnection(PG_SERVER + "test", "postgres", null);
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }
        try (Connection c = DriverManager.getConnection(MARIA_SERVER + "test", "root", null);
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + database);
        }

        int cPort = freePort();
        String coordinatorUrl = "http://127.0.0.1:" + cPort;
        Path logs = work.resolve("logs");
        coordinator = new Node("coordinator", logs, ServerMain.class.getName(), coordinatorUrl, List.of(
                "--port", Integer.toString(cPort), "--data", work.resolve("coordinator").toString(),
                "--node-id", "xa-crash-coordinator",
                // short lease, branch timeout and retries: a test waits seconds, not the defaults' minutes
                "--lease", "PT4S", "--branch-timeout", "PT2S", "--retry-base", "PT0.05S", "--retry-cap", "PT0.5S"));
        payment = service("payment", logs, pgUrl, coordinatorUrl);
        warehouse = service("warehouse", logs, mariaUrl, coordinatorUrl);
        startAll(coordinator, payment, warehouse);
    }

    private static Node service(String role, Path logs, String db, String coordinatorUrl) throws IOException {
        int port = freePort();
        return new Node(role, logs, ServiceMain.class.getName(), "http://127.0.0.1:" + port, List.of(
                "--role", role, "--port", Integer.toString(port), "--db", db, "--pattern", "xa",
                "--coordinator", coordinatorUrl));
    }

    @BeforeEach
    void freshData(TestInfo info) throws Exception {
        testStart = System.nanoTime();
        coordinator.ensure();
        payment.ensure();
        warehouse.ensure();
        // New clients per test: no pooled connection to a process that an earlier test killed
        tm = PactumClient.connect(URI.create(coordinator.url()));
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        post(payment.url() + "/admin/reset", "{\"accounts\":{\"A\":" + A_BALANCE + "}}");
        post(warehouse.url() + "/admin/reset", "{\"stock\":{\"book\":" + STOCK + "}}");
        String method = info.getTestMethod().map(m -> m.getName()).orElse("?");
        current = info.getDisplayName().startsWith(method) ? method : method + " [" + info.getDisplayName() + "]";
        noted = false;
    }

    /**
     * After a failed test, make sure the next one starts clean: prepared leftovers rolled back by hand (the test
     * has already reported them), services restarted if rows are still locked by an idle branch.
     */
    @AfterEach
    void cleanUp() throws Exception {
        if (!noted) {
            summary.add(current + ": did not finish (failed)");
        }
        if (tm != null) {
            tm.close();
        }
        if (http != null) {
            http.close();
        }
        rollBackLeftovers();
        if (!lockedRows().isEmpty()) {
            payment.stop();
            warehouse.stop();
        }
    }

    @AfterAll
    void stopEverything() throws Exception {
        for (Node n : new Node[] {coordinator, payment, warehouse}) {
            if (n != null) {
                n.stop();
            }
        }
        if (database != null) {
            rollBackLeftovers();
            try (Connection c = DriverManager.getConnection(PG_SERVER + "test", "postgres", null);
                 Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
            try (Connection c = DriverManager.getConnection(MARIA_SERVER + "test", "root", null);
                 Statement s = c.createStatement()) {
                s.execute("SET SESSION lock_wait_timeout = 10");
                s.execute("DROP DATABASE IF EXISTS " + database);
            }
        }
        String text = String.join("\n", summary);
        System.out.println("XaCrashTest scenarios:\n" + text);
        Files.writeString(work.resolve("summary.txt"), text + "\n");
    }

    /** By hand, as an operator would: every prepared transaction of this class's databases is rolled back. */
    private void rollBackLeftovers() throws SQLException {
        try (Connection c = DriverManager.getConnection(pgUrl, "postgres", null); Statement s = c.createStatement()) {
            List<String> left = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT gid FROM pg_prepared_xacts WHERE database = current_database()")) {
                while (rs.next()) {
                    left.add(rs.getString(1));
                }
            }
            for (String gid : left) {
                s.execute("ROLLBACK PREPARED '" + gid.replace("'", "''") + "'");
            }
        }
        for (Xid x : prepared()) {
            if (x.database().equals("mariadb")) {
                try (Connection c = DriverManager.getConnection(mariaUrl, "root", null);
                     Statement s = c.createStatement()) {
                    s.execute("XA ROLLBACK " + XaIds.mysqlXid(x.gid(), x.branchId()));
                }
            }
        }
    }

    private Node node(String role) {
        return role.equals("payment") ? payment : warehouse;
    }

    private String logs() {
        return work.resolve("logs").toString();
    }

    private void note(Attempt a, List<Xid> atCrash, TransactionView v) {
        long ms = (System.nanoTime() - testStart) / 1_000_000;
        String line = current + ": " + a.gid() + " submit "
                + (a.answer() != null ? "answered " + a.answer().status() : "got no answer") + "; prepared at the crash "
                + atCrash.stream().map(x -> x.branchId() + "@" + x.database()).toList() + "; final " + v.status() + " "
                + v.branches().stream().map(b -> b.branchId() + "=" + b.status() + "/" + b.attempts()).toList()
                + "; " + ms + " ms";
        summary.add(line);
        noted = true;
        System.out.println("[xa-crash] " + line);
    }

    private void post(String url, String json) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("POST %s: %s", url, r.body()).isEqualTo(200);
    }

    private static void startAll(Node... nodes) throws IOException, InterruptedException {
        for (Node n : nodes) {
            n.launch(Set.of());
        }
        for (Node n : nodes) {
            n.awaitUp();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }

    /**
     * One process of the scenario that a test can kill, halt at a failpoint and start again on the same port
     * (and, for the coordinator, the same store and node id). Each incarnation logs to a file of its own.
     */
    private static final class Node {
        private final String name;
        private final Path logs;
        private final String mainClass;
        private final String url;
        private final List<String> args;
        private ChildProcess process;
        private Set<String> armed = Set.of();
        private int incarnation;

        Node(String name, Path logs, String mainClass, String url, List<String> args) {
            this.name = name;
            this.logs = logs;
            this.mainClass = mainClass;
            this.url = url;
            this.args = List.copyOf(args);
        }

        String url() {
            return url;
        }

        Path log() {
            return process.log();
        }

        void launch(Set<String> failpoints) throws IOException {
            if (alive()) {
                throw new IllegalStateException(name + " is still running (pid " + process.pid() + ")");
            }
            incarnation++;
            List<String> a = new ArrayList<>(args);
            for (String f : failpoints) {
                a.add("--failpoint");
                a.add(f);
            }
            process = ChildProcess.start(name + "-" + incarnation + (failpoints.isEmpty() ? "" : "-" + String.join(
                    "-", failpoints)), logs, mainClass, a);
            armed = Set.copyOf(failpoints);
        }

        void awaitUp() throws IOException, InterruptedException {
            process.awaitHealthy(url + "/health", START);
        }

        /** Starts with the given failpoints armed (none: a plain restart). */
        void start(String... failpoints) throws IOException, InterruptedException {
            launch(Set.of(failpoints));
            awaitUp();
        }

        /** Stops (SIGTERM) whatever runs, then starts with the given failpoints armed. */
        void restart(String... failpoints) throws IOException, InterruptedException {
            stop();
            start(failpoints);
        }

        /** Running with exactly these failpoints armed, restarting if needed. */
        void ensure(String... failpoints) throws IOException, InterruptedException {
            if (!alive() || !armed.equals(Set.of(failpoints))) {
                restart(failpoints);
            }
        }

        boolean alive() {
            return process != null && ProcessHandle.of(process.pid()).map(ProcessHandle::isAlive).orElse(false);
        }

        /** SIGKILL, now. */
        void kill() throws InterruptedException {
            process.kill();
        }

        void stop() {
            if (process != null) {
                process.close();
            }
        }

        /** Waits until the process has died at {@code failpoint}, as its log says. */
        void awaitHalt(String failpoint) throws Exception {
            ProcessHandle h = ProcessHandle.of(process.pid()).orElse(null);
            if (h != null) {
                try {
                    h.onExit().get(30, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    throw new AssertionError(name + " did not halt at failpoint " + failpoint + " within 30 s; see "
                            + log());
                }
            }
            assertThat(Files.readString(log())).as("%s's log %s", name, log())
                    .contains("failpoint " + failpoint + " hit, halting");
        }
    }
}
