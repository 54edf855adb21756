package dev.pactum.server.msgcrash;

import com.sun.net.httpserver.HttpServer;
import dev.pactum.api.BeginRequest;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.MessageId;
import dev.pactum.api.Operation;
import dev.pactum.api.TransactionView;
import dev.pactum.api.TxPattern;
import dev.pactum.client.PactumClient;
import dev.pactum.client.msg.CheckAnswer;
import dev.pactum.client.msg.MessageProducer;
import dev.pactum.client.msg.SendResult;
import dev.pactum.core.CoordinatorConfig;
import dev.pactum.server.Coordinator;
import dev.pactum.server.ServerConfig;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link MessageProducer} against the real coordinator (in this JVM, embedded store), not a fake: its check endpoint
 * is the SDK's own answer and the destination an HTTP consumer applying through the inbox ({@link ConsumerLedger},
 * H2). The crash tests ({@link MsgCrashTest}) cover the same SDK with processes killed; this is the plain round
 * trip, in a second.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MessageProducerCoordinatorTest {
    @TempDir
    static Path dir;
    static Coordinator coordinator;
    static HttpServer http;
    static PactumClient client;
    static MessageProducer producer;
    static ConsumerLedger ledger;
    static JdbcDataSource orders;
    static String destination;

    /** Over HTTP here; over the wire protocol in {@link MessageProducerCoordinatorWireTest}. */
    boolean wire() {
        return false;
    }

    @BeforeAll
    void start() throws Exception { // an instance method (one instance per class) so that a subclass picks the transport
        startWith(wire());
    }

    /** Starts the coordinator and connects the SDK over HTTP, or over the wire protocol ({@code wire}). */
    static void startWith(boolean wire) throws Exception {
        orders = h2("orders");
        ledger = new ConsumerLedger(h2("consumer"));
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/deliver", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            ex.sendResponseHeaders(ledger.receive(MessageId.fromHeaders(ex.getRequestHeaders()::getFirst), body)
                    ? 200 : 503, -1);
            ex.close();
        });
        http.createContext("/check", ex -> {
            ex.sendResponseHeaders(producer.checkFromHeaders(ex.getRequestHeaders()::getFirst).httpStatus(), -1);
            ex.close();
        });
        http.start();
        String self = "http://127.0.0.1:" + http.getAddress().getPort();
        destination = self + "/deliver";
        CoordinatorConfig cc = CoordinatorConfig.builder().nodeId("producer-test").retryBase(Duration.ofMillis(20))
                .retryCap(Duration.ofMillis(100)).workerInterval(Duration.ofMillis(20)).build();
        coordinator = Coordinator.start(new ServerConfig("127.0.0.1", 0, dir, null, null, null, 64 * 1024,
                Duration.ofSeconds(5), cc, 0), Clock.systemUTC());
        client = PactumClient.connect(URI.create(wire ? "pactum://127.0.0.1:" + coordinator.wirePort()
                : "http://127.0.0.1:" + coordinator.port()), Duration.ofSeconds(5));
        producer = MessageProducer.builder().client(client).dataSource(orders)
                .checkUrl(URI.create(self + "/check")).checkTimeout(Duration.ofSeconds(10)).build(); // no early checks
        producer.createSchemaIfMissing();
        try (Connection c = orders.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE crash_order (idx INT PRIMARY KEY)");
        }
    }

    @AfterAll
    static void stop() {
        client.close();
        coordinator.close();
        http.stop(0);
    }

    @Test
    void aCommittedLocalTransactionIsSubmittedDeliveredAndAppliedOnce() throws Exception {
        SendResult r = producer.send(destination, "idx=1", conn -> insertOrder(conn, 1));
        assertThat(r.state()).isEqualTo(SendResult.State.SUBMITTED);
        assertThat(client.awaitFinal(r.gid(), Duration.ofSeconds(20)).status()).isEqualTo(GlobalStatus.COMMITTED);
        assertThat(ledger.effects()).contains(new History.Effect(r.gid(), 1));
        assertThat(ledger.inboxGids()).contains(r.gid());
        assertThat(producer.check(r.gid(), r.branchId())).isEqualTo(CheckAnswer.COMMITTED);
        assertThat(orderExists(1)).isTrue();
    }

    @Test
    void aRolledBackLocalTransactionAbortsItsMessageAndNothingIsDelivered() throws Exception {
        assertThatThrownBy(() -> producer.send(destination, "idx=2", conn -> {
            insertOrder(conn, 2);
            throw new IllegalStateException("rolled back on purpose");
        })).isInstanceOf(IllegalStateException.class);
        // send threw the work's exception, so the gid is found by the message's payload in the coordinator's view.
        String gid = client.list(null, null, 500).transactions().stream().map(t -> client.get(t.gid()))
                .filter(t -> "idx=2".equals(t.branches().getFirst().operations().getFirst().payload())).findFirst()
                .orElseThrow().gid();
        TransactionView aborted = client.awaitFinal(gid, Duration.ofSeconds(20));
        assertThat(aborted.status()).isEqualTo(GlobalStatus.ABORTED);
        assertThat(aborted.reason()).contains("rolled back on purpose");
        assertThat(orderExists(2)).isFalse();
        assertThat(ledger.deliveries()).doesNotContainKey(aborted.gid());
    }

    @Test
    void aHalfMessageWhoseProducerNeverRanIsCheckedBackAndDropped() throws Exception {
        // What a producer that died after the begin leaves behind: the SDK's check finds no row, marks it, 409.
        TransactionView begun = client.begin(new BeginRequest(null, TxPattern.MSG, 300L, List.of(BranchRequest.of(
                "message", List.of(new Operation("deliver", destination, "idx=3"),
                        Operation.of("check", "http://127.0.0.1:" + http.getAddress().getPort() + "/check"))))));
        TransactionView end = client.awaitFinal(begun.gid(), Duration.ofSeconds(20));
        assertThat(end.status()).isEqualTo(GlobalStatus.ABORTED);
        assertThat(end.reason()).contains("check-back");
        assertThat(ledger.deliveries()).doesNotContainKey(begun.gid());
        assertThat(producer.check(begun.gid(), "message")).isEqualTo(CheckAnswer.ROLLED_BACK);
    }

    private static void insertOrder(Connection conn, int idx) throws Exception {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO crash_order (idx) VALUES (?)")) {
            ps.setInt(1, idx);
            ps.executeUpdate();
        }
    }

    private static boolean orderExists(int idx) throws Exception {
        try (Connection c = orders.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM crash_order WHERE idx = ?")) {
            ps.setInt(1, idx);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    private static JdbcDataSource h2(String name) {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:" + name + "-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        return ds;
    }
}
