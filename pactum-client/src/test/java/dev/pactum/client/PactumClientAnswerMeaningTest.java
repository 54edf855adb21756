package dev.pactum.client;

import com.sun.net.httpserver.HttpServer;
import dev.pactum.api.Outcome;
import dev.pactum.api.PactumException;
import dev.pactum.api.TransactionView;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Issue 6, item 3: the SDK gives an answer a meaning (unknown transaction, conflict, success) only when it is
 * unmistakably the coordinator's answer about the transaction asked for. Anything else (a gateway's JSON 404, a
 * 409 without the gid, a 200 about nothing, a participant's 202) is "no usable answer". A stub HTTP server plays
 * the gateway; the exception's code is what callers (the XA participant's recovery, the demo) branch on.
 */
class PactumClientAnswerMeaningTest {
    static HttpServer server;
    static PactumClient client;
    static String base;
    /** "METHOD path" to "status body"; anything not listed answers 500. */
    static final Map<String, String> answers = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            String a = answers.getOrDefault(ex.getRequestMethod() + " " + ex.getRequestURI().getPath(), "500 {}");
            byte[] body = a.substring(4).getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(Integer.parseInt(a.substring(0, 3)), body.length == 0 ? -1 : body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
        client = PactumClient.connect(URI.create(base), Duration.ofSeconds(5));
    }

    @AfterAll
    static void stop() {
        client.close();
        server.stop(0);
    }

    @BeforeEach
    void clear() {
        answers.clear();
    }

    private static PactumException failure(Runnable call) {
        return catchThrowableOfType(PactumException.class, call::run);
    }

    @Test
    void gatewayJsonNotFoundIsNotAnUnknownTransaction() {
        answers.put("GET /api/v1/transactions/g1", "404 {\"error\":\"not_found\",\"message\":\"Not Found\"}");
        PactumException e = failure(() -> client.get("g1"));
        assertThat(e.code()).isEqualTo("not_found");
        assertThat(e.getClass()).isEqualTo(PactumException.class);
        assertThat(e.getMessage()).startsWith("HTTP 404");
    }

    @Test
    void vagueNotFoundNamingTheGidIsNotAnUnknownTransaction() {
        // The coordinator's answer before this fix: the code did not tell a missing route from a missing gid.
        answers.put("GET /api/v1/transactions/g1",
                "404 {\"error\":\"not_found\",\"message\":\"no transaction g1\",\"gid\":\"g1\"}");
        assertThat(failure(() -> client.get("g1")).getClass()).isEqualTo(PactumException.class);
    }

    @Test
    void unknownTransactionAboutAnotherGidIsNotBelieved() {
        answers.put("GET /api/v1/transactions/g1",
                "404 {\"error\":\"unknown_transaction\",\"message\":\"no transaction g2\",\"gid\":\"g2\"}");
        PactumException e = failure(() -> client.get("g1"));
        assertThat(e.getClass()).isEqualTo(PactumException.class);
        assertThat(e.code()).isEqualTo("http_404");
    }

    @Test
    void theCoordinatorsDefiniteAnswerIsAnUnknownTransaction() {
        answers.put("GET /api/v1/transactions/g1",
                "404 {\"error\":\"unknown_transaction\",\"message\":\"no transaction g1\",\"gid\":\"g1\"}");
        PactumException e = failure(() -> client.get("g1"));
        assertThat(e.code()).isEqualTo("unknown_transaction");
        assertThat(e.gid()).isEqualTo("g1");
    }

    @Test
    void conflictWithoutTheGidIsNotAConflictOfTheTransaction() {
        // A 409 read as ConflictException tells the caller its submit was refused (aborted): only the
        // coordinator may say that, about that gid.
        answers.put("POST /api/v1/transactions/g1/submit", "409 {\"error\":\"conflict\",\"message\":\"busy\"}");
        PactumException e = failure(() -> client.submit("g1", List.of()));
        assertThat(e.getClass()).isEqualTo(PactumException.class);
        assertThat(e.code()).isEqualTo("http_409");
    }

    @Test
    void okAnswerThatIsNotAboutTheTransactionIsABadAnswer() {
        answers.put("GET /api/v1/transactions/g1", "200 {}");
        answers.put("POST /api/v1/transactions/g1/submit",
                "200 {\"gid\":\"g2\",\"status\":\"COMMITTING\",\"branches\":[]}");
        answers.put("POST /api/v1/transactions", "200 {\"ok\":true}");
        assertThat(failure(() -> client.get("g1")).code()).isEqualTo("bad_answer");
        assertThat(failure(() -> client.submit("g1", List.of())).code()).isEqualTo("bad_answer");
        assertThat(failure(() -> client.beginTcc(Duration.ofSeconds(5))).code()).isEqualTo("bad_answer");
    }

    @Test
    void coordinatorsOwnAnswersStillWork() {
        answers.put("GET /api/v1/transactions/g1",
                "200 {\"gid\":\"g1\",\"pattern\":\"TCC\",\"status\":\"COMMITTING\",\"branches\":[]}");
        TransactionView v = client.get("g1");
        assertThat(v.status().name()).isEqualTo("COMMITTING");
        answers.put("POST /api/v1/transactions/g1/abort",
                "409 {\"error\":\"conflict\",\"message\":\"cannot abort g1\",\"gid\":\"g1\",\"status\":\"COMMITTING\"}");
        PactumException e = failure(() -> client.abort("g1", "test"));
        assertThat(e.code()).isEqualTo("conflict");
        assertThat(e.status()).isEqualTo("COMMITTING");
    }

    @Test
    void tryAnsweredAcceptedIsNotASuccess() {
        // 202 is "accepted, not done": counting it as a successful Try would let the transaction commit on a
        // reservation that may never be made.
        answers.put("POST /api/v1/transactions/g1/branches", "201 {\"branchId\":\"pay\",\"status\":\"REGISTERED\"}");
        answers.put("POST /try", "202 ");
        TccTransaction tx = new TccTransaction(client, LazyBegin.begun(client, dev.pactum.api.TxPattern.TCC, "g1"));
        TryFailedException e = catchThrowableOfType(TryFailedException.class,
                () -> tx.tryBranch("pay", base + "/try", base + "/c", base + "/x", "{}"));
        assertThat(e.outcome()).isEqualTo(Outcome.ONGOING);
        assertThat(e.httpStatus()).isEqualTo(202);
        assertThat(tx.tried()).isEmpty();
    }
}
