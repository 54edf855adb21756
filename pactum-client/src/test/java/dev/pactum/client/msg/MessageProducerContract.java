package dev.pactum.client.msg;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pactum.api.BeginRequest;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.Operation;
import dev.pactum.api.TxPattern;
import dev.pactum.client.IsolatedDatabase;
import dev.pactum.client.barrier.BranchWork;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the message producer must do on every database it supports, against the real database and a coordinator
 * over HTTP. Subclasses say how to make an isolated database and how to see that a session waits for a lock held
 * by another. Races use real concurrent connections; every wait is bounded; nothing is timed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class MessageProducerContract {
    static final String DESTINATION = "http://127.0.0.1:1/orders";
    /** Long enough that a check in the race tests waits for the local transaction rather than giving up. */
    static final Duration PATIENT = Duration.ofSeconds(30);
    /** Bound of every wait of a test. */
    static final long WAIT_SECONDS = 20;

    final String databaseName = "pactum_msg_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    HikariDataSource dataSource;
    FakeMsgCoordinator coordinator;
    MessageProducer producer;
    final ExecutorService threads = Executors.newCachedThreadPool();

    /** Where this class's database is made. */
    abstract IsolatedDatabase database();

    /** This session's id, as {@link #sessionsBlockedBy} takes it. */
    abstract String sessionId(Connection conn) throws SQLException;

    /** What the database says of its sessions, for a failure message. */
    abstract String describeSessions(Connection conn) throws SQLException;

    static String dump(Connection conn, String sql) throws SQLException {
        StringBuilder b = new StringBuilder();
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                b.append('[');
                for (int i = 1; i <= n; i++) {
                    b.append(rs.getMetaData().getColumnName(i)).append('=').append(rs.getString(i)).append(' ');
                }
                b.append("] ");
            }
        }
        return b.toString();
    }

    /** How many sessions wait for a lock held by session {@code blocker} (read on another connection). */
    abstract int sessionsBlockedBy(Connection conn, String blocker) throws SQLException;

    @BeforeAll
    void setUp() throws SQLException, IOException {
        database().create(databaseName);
        HikariConfig config = database().poolConfig(databaseName);
        config.setMaximumPoolSize(8);
        config.setMinimumIdle(0);
        config.setPoolName(getClass().getSimpleName());
        dataSource = new HikariDataSource(config);
        coordinator = new FakeMsgCoordinator();
        producer = producer(PATIENT);
        producer.createSchemaIfMissing();
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE msg_order (id VARCHAR(64) PRIMARY KEY)");
        }
    }

    MessageProducer producer(Duration checkLockWait) {
        return MessageProducer.builder().client(coordinator.client).dataSource(dataSource)
                .checkUrl(URI.create("http://127.0.0.1:8080/pactum/check")).checkTimeout(Duration.ofSeconds(10))
                .checkLockWait(checkLockWait).build();
    }

    @AfterAll
    void tearDown() throws SQLException {
        threads.shutdownNow();
        coordinator.close();
        dataSource.close();
        database().drop(databaseName);
    }

    static BranchWork createOrder(String id) {
        return conn -> {
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO msg_order (id) VALUES (?)")) {
                ps.setString(1, id);
                ps.executeUpdate();
            }
        };
    }

    boolean orderExists(String id) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM msg_order WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    String rowOrigin(String gid) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT origin_op FROM pactum_barrier WHERE gid = ? AND branch_id = 'message' AND op = 'msg'")) {
            ps.setString(1, gid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    static String newId() {
        return UUID.randomUUID().toString();
    }

    @Test
    void sendBeginsWithTheBranchCommitsWorkWithRowAndSubmits() throws SQLException {
        String order = newId();
        SendResult sent = producer.send(DESTINATION, "{\"order\":1}", createOrder(order));

        assertThat(sent.state()).isEqualTo(SendResult.State.SUBMITTED);
        assertThat(orderExists(order)).isTrue();
        assertThat(rowOrigin(sent.gid())).isEqualTo("msg");
        assertThat(coordinator.calls).contains("submit " + sent.gid() + " [\"message\"]");
        BeginRequest begin = coordinator.begins.get(coordinator.begins.size() - 1);
        assertThat(begin.pattern()).isEqualTo(TxPattern.MSG);
        assertThat(begin.timeoutMs()).isEqualTo(10_000L);
        BranchRequest branch = begin.branches().get(0);
        assertThat(branch.branchId()).isEqualTo("message");
        assertThat(branch.operations()).containsExactly(new Operation("deliver", DESTINATION, "{\"order\":1}"),
                new Operation("check", "http://127.0.0.1:8080/pactum/check", null));
        assertThat(producer.check(sent.gid(), "message")).isEqualTo(CheckAnswer.COMMITTED);
    }

    @Test
    void sendWithAKeyAndHeadersBeginsWithThemOnTheDeliverOperation() throws SQLException {
        String order = newId();
        SendResult sent = producer.send(OutgoingMessage.to(DESTINATION, "{\"order\":2}").key("order-" + order)
                .header("type", "order-created"), createOrder(order));

        assertThat(sent.state()).isEqualTo(SendResult.State.SUBMITTED);
        assertThat(orderExists(order)).isTrue();
        Operation deliver = coordinator.begins.get(coordinator.begins.size() - 1).branches().get(0).operations().get(0);
        assertThat(deliver).isEqualTo(new Operation("deliver", DESTINATION, "{\"order\":2}", "order-" + order,
                java.util.Map.of("type", "order-created")));
    }

    @Test
    void localWorkThatThrowsRollsBackAndAbortsTheMessage() throws SQLException {
        String order = newId();
        int before = coordinator.begins.size();
        assertThatThrownBy(() -> producer.send(DESTINATION, "x", conn -> {
            createOrder(order).run(conn);
            throw new IllegalStateException("out of stock");
        })).isInstanceOf(IllegalStateException.class).hasMessage("out of stock");

        String gid = "msg-" + (before + 1);
        assertThat(coordinator.calls).contains("abort " + gid).doesNotContain("submit " + gid + " [\"message\"]");
        assertThat(orderExists(order)).isFalse();
        assertThat(rowOrigin(gid)).isNull();
        assertThat(producer.check(gid, "message")).isEqualTo(CheckAnswer.ROLLED_BACK);
        assertThat(rowOrigin(gid)).isEqualTo("rollback");
    }

    /** The process "dies" between the local commit and the submit: here the submit is lost instead. */
    @Test
    void submitLostAfterLocalCommitIsLeftToTheCheckBackWhichFindsTheCommit() throws SQLException {
        String order = newId();
        coordinator.submitLost = true;
        SendResult sent;
        try {
            sent = producer.send(DESTINATION, "x", createOrder(order));
        } finally {
            coordinator.submitLost = false;
        }
        assertThat(sent.state()).isEqualTo(SendResult.State.LEFT_TO_CHECK_BACK);
        assertThat(sent.detail()).contains("503");
        assertThat(orderExists(order)).isTrue();
        assertThat(producer.check(sent.gid(), "message")).isEqualTo(CheckAnswer.COMMITTED);
    }

    @Test
    void checkOfAMessageNeverSeenRollsItBackAndTheLateLocalTransactionFails() throws SQLException {
        String gid = "unseen-" + newId();
        String order = newId();
        assertThat(producer.check(gid, "message")).isEqualTo(CheckAnswer.ROLLED_BACK);

        assertThatThrownBy(() -> producer.runLocal(gid, createOrder(order)))
                .isInstanceOfSatisfying(MessageException.class, e -> {
                    assertThat(e.code()).isEqualTo(MessageException.ROLLED_BACK);
                    assertThat(e.gid()).isEqualTo(gid);
                });
        assertThat(orderExists(order)).isFalse();
        assertThat(producer.check(gid, "message")).isEqualTo(CheckAnswer.ROLLED_BACK);
    }

    /** A local transaction that holds its row, in flight on its own connection until released. */
    final class InFlight implements AutoCloseable {
        final String gid = "race-" + newId();
        final String order = newId();
        final CountDownLatch holding = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicReference<String> session = new AtomicReference<>();
        final Future<?> done;

        InFlight(boolean commit) throws InterruptedException {
            done = threads.submit(() -> {
                producer.runLocal(gid, conn -> {
                    createOrder(order).run(conn);
                    session.set(sessionId(conn));
                    holding.countDown();
                    assertThat(release.await(WAIT_SECONDS, TimeUnit.SECONDS)).isTrue();
                    if (!commit) {
                        throw new IllegalStateException("the local work fails after the check began waiting");
                    }
                });
                return null;
            });
            assertThat(holding.await(WAIT_SECONDS, TimeUnit.SECONDS)).as("local transaction holds its row").isTrue();
        }

        /** Waits (bounded) until some session waits for this transaction's lock: the check's insert. */
        void awaitWaiter() throws Exception {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
            try (Connection c = dataSource.getConnection()) {
                while (sessionsBlockedBy(c, session.get()) == 0) {
                    if (System.nanoTime() > deadline) {
                        throw new AssertionError("no session waits for the local transaction " + session.get()
                                + ": " + describeSessions(c));
                    }
                    Thread.sleep(10);
                }
            }
        }

        @Override
        public void close() {
            release.countDown();
        }
    }

    @Test
    void checkWhileTheLocalTransactionIsInFlightWaitsAndAnswersCommittedWhenItCommits() throws Exception {
        try (InFlight tx = new InFlight(true)) {
            Future<CheckAnswer> check = threads.submit(() -> producer.check(tx.gid, "message"));
            tx.awaitWaiter();
            assertThat(check.isDone()).as("the check waits for the row's lock").isFalse();
            tx.release.countDown();
            tx.done.get(WAIT_SECONDS, TimeUnit.SECONDS);
            assertThat(check.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(CheckAnswer.COMMITTED);
            assertThat(orderExists(tx.order)).isTrue();
        }
    }

    @Test
    void checkWhileTheLocalTransactionIsInFlightAnswersRolledBackWhenItRollsBackAndTheGidCanNeverCommit()
            throws Exception {
        try (InFlight tx = new InFlight(false)) {
            Future<CheckAnswer> check = threads.submit(() -> producer.check(tx.gid, "message"));
            tx.awaitWaiter();
            tx.release.countDown();
            assertThatThrownBy(() -> tx.done.get(WAIT_SECONDS, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(IllegalStateException.class);
            assertThat(check.get(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo(CheckAnswer.ROLLED_BACK);

            String order = newId();
            assertThatThrownBy(() -> producer.runLocal(tx.gid, createOrder(order)))
                    .isInstanceOfSatisfying(MessageException.class,
                            e -> assertThat(e.code()).isEqualTo(MessageException.ROLLED_BACK));
            assertThat(orderExists(tx.order)).isFalse();
            assertThat(orderExists(order)).isFalse();
            assertThat(producer.check(tx.gid, "message")).isEqualTo(CheckAnswer.ROLLED_BACK);
        }
    }

    @Test
    void checkAnswersUnknownWhenTheLockWaitRunsOutAndChangesNothing() throws Exception {
        MessageProducer impatient = producer(Duration.ofSeconds(1));
        try (InFlight tx = new InFlight(true)) {
            // The local transaction waits until released: the check's wait of one second surely runs out first.
            assertThat(impatient.check(tx.gid, "message")).isEqualTo(CheckAnswer.UNKNOWN);
            tx.release.countDown();
            tx.done.get(WAIT_SECONDS, TimeUnit.SECONDS);
            // The unknown answer wrote nothing: the transaction committed its row, and the next check says so.
            assertThat(orderExists(tx.order)).isTrue();
            assertThat(impatient.check(tx.gid, "message")).isEqualTo(CheckAnswer.COMMITTED);
        }
    }

    @Test
    void workThatCommitsOnItsConnectionIsRefusedAndTheMessageAborted() throws SQLException {
        String order = newId();
        int before = coordinator.begins.size();
        assertThatThrownBy(() -> producer.send(DESTINATION, "x", conn -> {
            createOrder(order).run(conn);
            conn.commit();
        })).isInstanceOfSatisfying(MessageException.class,
                e -> assertThat(e.code()).isEqualTo(MessageException.BROKEN));
        String gid = "msg-" + (before + 1);
        assertThat(coordinator.calls).contains("abort " + gid);
        assertThat(orderExists(order)).isFalse();
        assertThat(producer.check(gid, "message")).isEqualTo(CheckAnswer.ROLLED_BACK);
    }
}
