package dev.pactum.client.inbox;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pactum.api.MessageId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * What an inbox must do on every database it supports, against the real database. Subclasses say how to make and
 * drop an isolated database for the class, and how to see that a session waits for a lock (for the deadlock case).
 *
 * <p>The business effect is a counter per message in table {@code effect}: "applied once" is the counter at 1.
 * Races use real concurrent connections released together; assertions are about end states, never timing.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class InboxContract {
    static final int THREADS = 8;
    static final int ROUNDS = 20;
    /** Attempts per delivery in the races: a RETRY is delivered again, as a broker would. */
    static final int ATTEMPTS = 20;

    final String databaseName = "pactum_inbox_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    final String gid = "g-" + UUID.randomUUID().toString().substring(0, 8);
    HikariDataSource dataSource;
    Inbox inbox;
    int nextMessage;

    abstract void createIsolated(String name) throws SQLException;

    abstract HikariConfig poolConfig(String name);

    abstract void dropIsolated(String name) throws SQLException;

    abstract InboxDialect expectedDialect();

    /** Whether one failed statement aborts the whole transaction (PostgreSQL) rather than only itself. */
    abstract boolean aFailedStatementAbortsTheTransaction();

    @BeforeAll
    void setUp() throws SQLException {
        createIsolated(databaseName);
        HikariConfig config = poolConfig(databaseName);
        config.setMaximumPoolSize(THREADS + 4);
        config.setMinimumIdle(0);
        config.setPoolName(getClass().getSimpleName());
        dataSource = new HikariDataSource(config);
        inbox = Inbox.forDataSource(dataSource);
        inbox.createSchemaIfMissing();
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE effect (id VARCHAR(64) PRIMARY KEY, n BIGINT NOT NULL)");
        }
    }

    @AfterAll
    void tearDown() throws SQLException {
        if (dataSource != null) {
            dataSource.close();
        }
        dropIsolated(databaseName);
    }

    /** A new message with its counter at 0. */
    MessageId newMessage() throws SQLException {
        MessageId id = new MessageId(gid, "m" + (nextMessage++));
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO effect (id, n) VALUES (?, 0)")) {
            ps.setString(1, id.branchId());
            ps.executeUpdate();
        }
        return id;
    }

    long count(MessageId id) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT n FROM effect WHERE id = ?")) {
            ps.setString(1, id.branchId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    boolean recorded(MessageId id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT COUNT(*) FROM " + Inbox.TABLE + " WHERE gid = ? AND branch_id = ?")) {
            ps.setString(1, id.gid());
            ps.setString(2, id.branchId());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1) > 0;
            }
        }
    }

    static void increment(Connection conn, MessageId id) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("UPDATE effect SET n = n + 1 WHERE id = ?")) {
            ps.setString(1, id.branchId());
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("no effect row " + id);
            }
        }
    }

    static InboxWork incrementOf(MessageId id) {
        return conn -> increment(conn, id);
    }

    // ---------------------------------------------------------------------------------------------------------

    @Test
    void dialectIsDetectedAndSchemaCreationIsIdempotent() {
        assertThat(inbox.dialect()).isEqualTo(expectedDialect());
        inbox.createSchemaIfMissing();
        inbox.createSchemaIfMissing();
    }

    @Test
    void aMessageIsAppliedOnceAndEveryRedeliveryIsSkipped() throws SQLException {
        MessageId id = newMessage();
        assertThat(inbox.apply(id, incrementOf(id))).isEqualTo(InboxResult.APPLIED);
        for (int i = 0; i < 3; i++) {
            InboxResult again = inbox.apply(id, incrementOf(id));
            assertThat(again).isEqualTo(InboxResult.ALREADY_APPLIED);
            assertThat(again.acknowledge()).isTrue();
            assertThat(again.httpStatus()).isEqualTo(200);
        }
        assertThat(count(id)).isEqualTo(1);
        assertThat(recorded(id)).isTrue();
    }

    @Test
    void twoConsumersInOneDatabaseEachApplyTheMessageOnce() throws SQLException {
        MessageId id = newMessage();
        Inbox payment = inbox.forConsumer("payment");
        Inbox audit = inbox.forConsumer("audit");
        assertThat(payment.apply(id, incrementOf(id))).isEqualTo(InboxResult.APPLIED);
        assertThat(audit.apply(id, incrementOf(id))).isEqualTo(InboxResult.APPLIED);
        assertThat(payment.apply(id, incrementOf(id))).isEqualTo(InboxResult.ALREADY_APPLIED);
        assertThat(count(id)).isEqualTo(2);
    }

    @Test
    void workThatThrowsRollsTheInboxRowBackSoTheRedeliveryAppliesIt() throws SQLException {
        MessageId id = newMessage();
        assertThatThrownBy(() -> inbox.apply(id, conn -> {
            increment(conn, id);
            throw new IllegalStateException("business failure");
        })).isInstanceOf(IllegalStateException.class).hasMessage("business failure");
        assertThat(count(id)).isZero();
        assertThat(recorded(id)).isFalse();

        assertThat(inbox.apply(id, incrementOf(id))).isEqualTo(InboxResult.APPLIED);
        assertThat(count(id)).isEqualTo(1);
    }

    @Test
    void aRefusedMessageIsRolledBackAndNotRecorded() throws SQLException {
        MessageId id = newMessage();
        InboxResult r = inbox.apply(id, conn -> {
            increment(conn, id);
            throw new MessageRefusedException("unknown account");
        });
        assertThat(r).isEqualTo(InboxResult.REFUSED);
        assertThat(r.httpStatus()).isEqualTo(409);
        assertThat(r.acknowledge()).isFalse();
        assertThat(count(id)).isZero();
        assertThat(recorded(id)).isFalse();
    }

    @Test
    void aCheckedExceptionOfTheWorkIsWrappedNamingTheMessage() throws SQLException {
        MessageId id = newMessage();
        assertThatThrownBy(() -> inbox.apply(id, conn -> {
            throw new java.io.IOException("disk");
        })).isInstanceOf(InboxException.class).hasMessageContaining(id.wire())
                .satisfies(e -> assertThat(((InboxException) e).messageId()).isEqualTo(id));
        assertThat(recorded(id)).isFalse();
    }

    @Test
    void housekeepingDeletesOldRowsOnlyAndRefusesAFutureCutoff() throws SQLException {
        MessageId id = newMessage();
        inbox.apply(id, incrementOf(id));
        assertThatThrownBy(() -> inbox.deleteOlderThan(Instant.now().plusSeconds(3600)))
                .isInstanceOf(IllegalArgumentException.class);
        inbox.deleteOlderThan(Instant.now().minusSeconds(3600));
        assertThat(recorded(id)).isTrue();
        inbox.deleteOlderThan(Instant.now());
        assertThat(recorded(id)).isFalse();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Concurrent duplicate deliveries, on real connections

    /** Delivers {@code id} until the inbox gives something other than RETRY (bounded), as a broker redelivers. */
    InboxResult deliverUntilSettled(MessageId id, InboxWork work) {
        InboxResult r = InboxResult.RETRY;
        for (int i = 0; i < ATTEMPTS && r == InboxResult.RETRY; i++) {
            try {
                r = inbox.apply(id, work);
            } catch (IllegalStateException e) {
                r = InboxResult.RETRY; // the failing first attempt of the race below: the broker redelivers
            }
        }
        return r;
    }

    List<InboxResult> race(MessageId id, InboxWork work) throws Exception {
        CyclicBarrier start = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<InboxResult>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                futures.add(pool.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    return deliverUntilSettled(id, work);
                }));
            }
            List<InboxResult> results = new ArrayList<>();
            for (Future<InboxResult> f : futures) {
                results.add(f.get(120, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void concurrentDuplicateDeliveriesApplyTheMessageOnce() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            MessageId id = newMessage();
            List<InboxResult> results = race(id, conn -> {
                increment(conn, id);
                Thread.sleep(5); // hold the row a moment, so the duplicates really wait on it
            });
            assertThat(results).as("round %d", round).containsOnly(InboxResult.APPLIED, InboxResult.ALREADY_APPLIED);
            assertThat(results).as("round %d", round).filteredOn(r -> r == InboxResult.APPLIED).hasSize(1);
            assertThat(count(id)).as("round %d", round).isEqualTo(1);
        }
    }

    @Test
    void concurrentDuplicatesWhoseFirstAttemptFailsStillApplyTheMessageOnce() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            MessageId id = newMessage();
            AtomicBoolean failedOnce = new AtomicBoolean();
            List<InboxResult> results = race(id, conn -> {
                increment(conn, id);
                if (failedOnce.compareAndSet(false, true)) {
                    Thread.sleep(20); // the others wait on this attempt's row, then one of them takes over
                    throw new IllegalStateException("first attempt fails");
                }
            });
            assertThat(failedOnce).isTrue();
            assertThat(results).as("round %d", round).filteredOn(r -> r == InboxResult.APPLIED).hasSize(1);
            assertThat(count(id)).as("round %d", round).isEqualTo(1);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The silent-rollback class: never "applied" for work the database rolled back

    @Test
    void regressionAWorkThatCommitsItsConnectionMidwayIsNeverReportedApplied() throws SQLException {
        // A commit in the middle would make the inbox row durable with half the work; the row check alone cannot
        // see that, so the work's connection refuses transaction control, and a swallowed refusal still counts.
        MessageId id = newMessage();
        for (String call : new String[] {"commit", "rollback", "autocommit", "close"}) {
            assertThatThrownBy(() -> inbox.apply(id, conn -> {
                increment(conn, id);
                try {
                    switch (call) {
                        case "commit" -> conn.commit();
                        case "rollback" -> conn.rollback();
                        case "autocommit" -> conn.setAutoCommit(true);
                        default -> conn.close();
                    }
                } catch (SQLException swallowed) {
                    // the idiom the guard exists for
                }
                increment(conn, id);
            })).as(call).isInstanceOf(InboxTransactionLostException.class).hasMessageContaining(id.wire());
            assertThat(count(id)).as(call).isZero();
            assertThat(recorded(id)).as(call).isFalse();
        }
        assertThat(inbox.apply(id, incrementOf(id))).isEqualTo(InboxResult.APPLIED);
        assertThat(count(id)).isEqualTo(1);
    }

    @Test
    void regressionARollbackStatementInsideTheWorkIsNeverReportedApplied() throws SQLException {
        MessageId id = newMessage();
        assertThatThrownBy(() -> inbox.apply(id, conn -> {
            increment(conn, id);
            try (Statement st = conn.createStatement()) {
                st.execute("ROLLBACK"); // ends the transaction behind the inbox's back, inbox row included
            }
            increment(conn, id); // runs in a new transaction the inbox must not commit as "applied"
        })).isInstanceOf(InboxTransactionLostException.class).hasMessageContaining(id.wire());
        assertThat(count(id)).isZero();
        assertThat(recorded(id)).isFalse();

        assertThat(inbox.apply(id, incrementOf(id))).isEqualTo(InboxResult.APPLIED);
        assertThat(count(id)).isEqualTo(1);
    }

    @Test
    void regressionAFailedStatementTheWorkSwallowedIsNeverReportedAppliedIfTheDatabaseRolledBack() throws SQLException {
        MessageId id = newMessage();
        InboxWork swallowing = conn -> {
            increment(conn, id);
            try (Statement st = conn.createStatement()) {
                st.execute("INSERT INTO no_such_table VALUES (1)");
            } catch (SQLException swallowed) {
                // the bug under test: business code that catches and goes on
            }
            try {
                increment(conn, id);
            } catch (SQLException swallowed) {
                // PostgreSQL: refused, the transaction is aborted
            }
        };
        if (aFailedStatementAbortsTheTransaction()) {
            assertThatThrownBy(() -> inbox.apply(id, swallowing)).isInstanceOf(InboxTransactionLostException.class);
            assertThat(count(id)).isZero();
            assertThat(recorded(id)).isFalse();
        } else {
            // Only the failed statement was undone: the rest of the work and the inbox row are real and commit.
            assertThat(inbox.apply(id, swallowing)).isEqualTo(InboxResult.APPLIED);
            assertThat(count(id)).isEqualTo(2);
            assertThat(recorded(id)).isTrue();
        }
    }

    /** The session id {@link #isWaitingForALock} understands. */
    abstract String sessionId(Connection conn) throws SQLException;

    /** Whether session {@code sessionId} is waiting for a row lock (on {@code effect} row {@code rowId}), seen from {@code observer}. */
    abstract boolean isWaitingForALock(Connection observer, String sessionId, String rowId) throws SQLException;

    /**
     * Makes the inbox's transaction the deadlock victim: on PostgreSQL it must detect the deadlock first (a short
     * {@code deadlock_timeout} on its session, a long one on the other). Nothing to do elsewhere.
     */
    void prepareDeadlock(Connection victim, Connection survivor) throws SQLException {
    }

    @Test
    void regressionADeadlockTheWorkSwallowedIsNeverReportedApplied() throws Exception {
        MessageId id = newMessage();
        MessageId x = newMessage(); // the two rows the transactions deadlock on
        MessageId y = newMessage();
        List<MessageId> heavy = new ArrayList<>(); // make the other transaction the heavier one (InnoDB's victim choice)
        for (int i = 0; i < 10; i++) {
            heavy.add(newMessage());
        }
        ExecutorService other = Executors.newSingleThreadExecutor();
        AtomicReference<Future<?>> survivorDone = new AtomicReference<>();
        AtomicBoolean deadlocked = new AtomicBoolean();
        Throwable thrown;
        try (Connection survivor = dataSource.getConnection(); Connection observer = dataSource.getConnection()) {
            survivor.setAutoCommit(false);
            String survivorSession = sessionId(survivor);
            thrown = catchThrowable(() -> inbox.apply(id, conn -> {
                prepareDeadlock(conn, survivor);
                increment(conn, id);
                increment(conn, x);
                // The other transaction takes y and more, then waits for x, which this one holds.
                survivorDone.set(other.submit(() -> {
                    increment(survivor, y);
                    for (MessageId h : heavy) {
                        increment(survivor, h);
                    }
                    increment(survivor, x);
                    survivor.commit();
                    return null;
                }));
                waitUntil(() -> isWaitingForALock(observer, survivorSession, x.branchId()));
                try {
                    increment(conn, y); // closes the cycle: the database rolls this transaction back whole
                } catch (SQLException e) {
                    deadlocked.set(inbox.dialect().isRetryable(e));
                }
                try {
                    increment(conn, id); // MySQL, H2: runs in a new transaction; PostgreSQL: refused (aborted)
                } catch (SQLException swallowed) {
                    // the bug under test: business code that catches and goes on
                }
            }));
            survivorDone.get().get(60, TimeUnit.SECONDS);
            survivor.setAutoCommit(true);
        } finally {
            other.shutdownNow();
        }
        assertThat(deadlocked).as("the work's statement was the deadlock victim").isTrue();
        assertThat(thrown).isInstanceOf(InboxTransactionLostException.class);
        assertThat(count(id)).isZero();
        assertThat(recorded(id)).isFalse();
        assertThat(count(x)).isEqualTo(1); // the survivor's
        assertThat(inbox.apply(id, incrementOf(id))).isEqualTo(InboxResult.APPLIED);
        assertThat(count(id)).isEqualTo(1);
    }

    interface Condition {
        boolean holds() throws Exception;
    }

    static void waitUntil(Condition c) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!c.holds()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("condition not reached within 30 s");
            }
            Thread.sleep(10);
        }
    }
}
