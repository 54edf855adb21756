package dev.pactum.client.xa;

import com.sun.net.httpserver.HttpServer;
import dev.pactum.client.PactumClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6, item 3: a JSON 404 that is not the coordinator's "no transaction &lt;this gid&gt;" (a gateway in front of
 * it, a wrong base path, an answer naming another gid) made recovery take a branch for an orphan and roll it back
 * after the grace period, though its transaction was decided COMMIT. Only the definite answer may do that; every
 * other answer leaves the branch prepared, reported as unreachable, until the coordinator's decision arrives.
 * On the machine's PostgreSQL, in a schema of its own.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class XaForeignNotFoundIsNotAnOrphanTest {
    private static final Duration GRACE = Duration.ofSeconds(30);

    private final String gidPrefix = "xf" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "-";
    private final AtomicReference<String> answer = new AtomicReference<>();
    private XaTestDatabase db;
    private HttpServer gateway;
    private PactumClient client;

    @BeforeAll
    void setUp() throws SQLException, IOException {
        db = new XaTestDatabase.Postgres(XaTestDatabase.newName("pactum_xf_"));
        db.create();
        db.createAccounts();
        // Answers every request with the status and body the test put in `answer` ("404 {...}").
        gateway = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        gateway.createContext("/", ex -> {
            String a = answer.get();
            byte[] body = a.substring(4).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(Integer.parseInt(a.substring(0, 3)), body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        gateway.start();
        client = PactumClient.connect(URI.create("http://127.0.0.1:" + gateway.getAddress().getPort()),
                Duration.ofSeconds(5));
    }

    @AfterAll
    void tearDown() throws SQLException {
        List<String> left = db.preparedBranches(gidPrefix);
        for (String b : left) {
            String[] p = b.split("/");
            db.rollbackWithSql(p[0], p[1]);
        }
        client.close();
        gateway.stop(0);
        db.drop();
        assertThat(left).as("prepared transactions left behind").isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "404 {\"error\":\"not_found\",\"message\":\"Not Found\"}",                       // a gateway's JSON 404
            "404 {\"error\":\"no_route\",\"message\":\"no route GET /wrong/api/v1/transactions/x\"}", // wrong base path
            "404 {\"error\":\"not_found\",\"message\":\"no transaction GID\",\"gid\":\"GID\"}",    // the old, vague code
            "404 {\"error\":\"unknown_transaction\",\"message\":\"no transaction x\",\"gid\":\"other\"}", // another gid
            "404 <html>Not Found</html>",
            "200 {}"})                                                                        // a 200 not about it
    void foreignAnswerDoesNotRollBackABranchDecidedCommit(String foreign) throws SQLException {
        String gid = gidPrefix + UUID.randomUUID().toString().substring(0, 8);
        String account = "acct-" + UUID.randomUUID().toString().substring(0, 8);
        db.newAccount(account, 150);
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        try (XaParticipant before = participant(clock, gid)) {
            assertThat(before.work(gid, "pay", XaTestDatabase.debit(account, 50))).isEqualTo(XaResult.APPLIED);
            assertThat(before.prepare(gid, "pay")).isEqualTo(XaResult.APPLIED);
        }
        // A restarted participant knows nothing of the branch: recovery must ask the coordinator.
        try (XaParticipant xa = participant(clock, gid)) {
            answer.set(foreign.replace("GID", gid));
            RecoveryReport first = xa.recoverOnce();
            assertThat(first.orphansWaiting()).as("taken for an orphan: " + foreign).isZero();
            assertThat(first.unreachable()).isEqualTo(1);

            clock.advance(GRACE.plusSeconds(1));
            RecoveryReport late = xa.recoverOnce();
            assertThat(late.orphansRolledBack()).as("rolled back on: " + foreign).isZero();
            assertThat(db.preparedBranches(gidPrefix)).containsExactly(gid + "/pay");

            answer.set("200 {\"gid\":\"" + gid + "\",\"status\":\"COMMITTING\",\"branches\":[]}");
            assertThat(xa.recoverOnce().committed()).isEqualTo(1);
            assertThat(db.balance(account)).isEqualTo(100);
            assertThat(db.preparedBranches(gidPrefix)).isEmpty();
        }
    }

    /** A participant that recovers only {@code gid}'s branches, so one case's leftovers cannot blur another's. */
    private XaParticipant participant(MutableClock clock, String gid) throws SQLException {
        return XaParticipant.builder(db.dataSource())
                .coordinator(client)
                .clock(clock)
                .orphanGrace(GRACE)
                .recoveryDelay(Duration.ofSeconds(1))
                .recoverOnly(b -> b.gid().equals(gid))
                .build();
    }
}
