package dev.pactum.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pactum.api.Headers;
import dev.pactum.core.CoordinatorConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import static dev.pactum.server.BadInputTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The half-message pattern through the real coordinator: an HTTP destination reached through pactum-connectors, an
 * HTTP check-back endpoint of the producer, parking after the last check and the operator's resolve over the API,
 * with its bad input answered like every other route (400 naming the field, nothing changed).
 */
class MsgCoordinatorTest {
    @TempDir
    static Path dir;
    static Coordinator coordinator;
    static HttpServer peer;
    static String base;
    static String peerUrl;
    /** Bodies delivered to the destination, by gid (from the Pactum-Gid header every delivery carries). */
    static final Map<String, List<String>> delivered = new ConcurrentHashMap<>();
    /** What the producer's check endpoint answers, by gid; 503 ("still running") for any other. */
    static final Map<String, Integer> checkAnswer = new ConcurrentHashMap<>();
    static final Map<String, List<String>> checked = new ConcurrentHashMap<>();
    /** The key header and the caller's header "type" of each delivery, by gid. */
    static final Map<String, List<String>> deliveredHeaders = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        peer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        peer.createContext("/inbox", ex -> {
            String gid = ex.getRequestHeaders().getFirst(Headers.GID);
            deliveredHeaders.computeIfAbsent(gid, g -> new CopyOnWriteArrayList<>()).add(
                    ex.getRequestHeaders().getFirst("Pactum-Message-Key") + "|" + ex.getRequestHeaders().getFirst("type"));
            delivered.computeIfAbsent(gid, g -> new CopyOnWriteArrayList<>())
                    .add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            answer(ex, 200);
        });
        peer.createContext("/check", ex -> {
            String gid = ex.getRequestHeaders().getFirst(Headers.GID);
            checked.computeIfAbsent(gid, g -> new CopyOnWriteArrayList<>()).add(ex.getRequestHeaders().getFirst(Headers.OP));
            answer(ex, checkAnswer.getOrDefault(gid, 503));
        });
        peer.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        peer.start();
        peerUrl = "http://127.0.0.1:" + peer.getAddress().getPort();
        CoordinatorConfig cc = CoordinatorConfig.builder().nodeId("msg-test").retryBase(Duration.ofMillis(20))
                .retryCap(Duration.ofMillis(100)).workerInterval(Duration.ofMillis(20)).maxChecks(2).build();
        coordinator = Coordinator.start(new ServerConfig("127.0.0.1", 0, dir, null, null, null, 64 * 1024,
                Duration.ofSeconds(5), cc), Clock.systemUTC());
        BadInputTest.http = HttpClient.newHttpClient();
        base = "http://127.0.0.1:" + coordinator.port() + "/api/v1/transactions";
    }

    @AfterAll
    static void stop() {
        coordinator.close();
        peer.stop(0);
    }

    private static void answer(HttpExchange ex, int status) throws IOException {
        byte[] b = "{}".getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private static String begin(String gid, long timeoutMs, String destination) {
        return "{\"gid\":\"" + gid + "\",\"pattern\":\"MSG\",\"timeoutMs\":" + timeoutMs + ",\"branches\":[{\"branchId\":\"m1\","
                + "\"operations\":[{\"name\":\"deliver\",\"target\":\"" + destination + "\",\"payload\":\"{\\\"order\\\":\\\""
                + gid + "\\\"}\"},{\"name\":\"check\",\"target\":\"" + peerUrl + "/check\"}]}]}";
    }

    @Test
    void aCommittedMessageReachesItsHttpDestinationOnceThroughTheConnectors() throws Exception {
        assertThat(send("POST", base, begin("msg-1", 60_000, peerUrl + "/inbox")).status()).isEqualTo(201);
        assertThat(delivered.get("msg-1")).as("invisible until committed").isNull();
        assertThat(send("POST", base + "/msg-1/submit", "{\"tried\":[\"m1\"]}").status()).isEqualTo(200);
        awaitStatus("msg-1", "COMMITTED");
        assertThat(delivered.get("msg-1")).containsExactly("{\"order\":\"msg-1\"}");
        assertThat(checked.get("msg-1")).isNull();
    }

    @Test
    void aMessagesKeyAndHeadersAreStoredShownAndSentAsTheTransportsHeaders() throws Exception {
        String body = begin("msg-k1", 60_000, peerUrl + "/inbox").replace("\"name\":\"deliver\",",
                "\"name\":\"deliver\",\"key\":\"order-7\",\"headers\":{\"type\":\"order-paid\"},");
        assertThat(send("POST", base, body).status()).isEqualTo(201);
        com.fasterxml.jackson.databind.JsonNode op = send("GET", base + "/msg-k1", null).body().get("branches").get(0)
                .get("operations").get(0);
        assertThat(op.get("key").asText()).isEqualTo("order-7");
        assertThat(op.get("headers").get("type").asText()).isEqualTo("order-paid");
        assertThat(send("POST", base + "/msg-k1/submit", "{\"tried\":[\"m1\"]}").status()).isEqualTo(200);
        awaitStatus("msg-k1", "COMMITTED");
        assertThat(deliveredHeaders.get("msg-k1")).containsExactly("order-7|order-paid");
    }

    @Test
    void aBadKeyOrHeaderIsRefusedAtBeginNamingTheFieldAndNothingIsStored() throws Exception {
        String[][] cases = {
                {"\"key\":\"\",", "branches[0].operations[0].key"},
                {"\"key\":\"" + "k".repeat(1025) + "\",", "branches[0].operations[0].key"},
                {"\"headers\":{\"Pactum-Gid\":\"x\"},", "branches[0].operations[0].headers.Pactum-Gid"},
                {"\"headers\":{\"pactum-message-key\":\"x\"},", "branches[0].operations[0].headers.pactum-message-key"},
                {"\"headers\":{\"traceparent\":\"x\"},", "branches[0].operations[0].headers.traceparent"},
                {"\"headers\":{\"a b\":\"x\"},", "branches[0].operations[0].headers"},
                {"\"headers\":{\"a\":\"line\\nbreak\"},", "branches[0].operations[0].headers.a"},
                {"\"headers\":{\"a\":null},", "branches[0].operations[0].headers.a"},
                {"\"headers\":{\"a\":\"1\",\"A\":\"2\"},", "branches[0].operations[0].headers.A"},
                {"\"headers\":{\"a\":\"" + "v".repeat(4097) + "\"},", "branches[0].operations[0].headers.a"},
                {"\"headers\":[\"a\"],", null}};
        for (String[] c : cases) {
            String body = begin("msg-bad-k", 60_000, peerUrl + "/inbox").replace("\"name\":\"deliver\",",
                    "\"name\":\"deliver\"," + c[0]);
            BadInputTest.Answer a = send("POST", base, body);
            assertThat(a.status()).as(c[0]).isEqualTo(400);
            if (c[1] != null) {
                assertThat(a.body().get("field").asText()).as(c[0]).isEqualTo(c[1]);
            }
        }
        String many = begin("msg-bad-k", 60_000, peerUrl + "/inbox").replace("\"name\":\"deliver\",",
                "\"name\":\"deliver\",\"headers\":{" + java.util.stream.IntStream.range(0, 33)
                        .mapToObj(i -> "\"h" + i + "\":\"v\"").collect(java.util.stream.Collectors.joining(",")) + "},");
        assertThat(send("POST", base, many).body().get("field").asText()).isEqualTo("branches[0].operations[0].headers");
        String keyedCheck = begin("msg-bad-k", 60_000, peerUrl + "/inbox").replace("\"name\":\"check\",",
                "\"name\":\"check\",\"key\":\"k\",");
        BadInputTest.Answer a = send("POST", base, keyedCheck);
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.body().get("field").asText()).isEqualTo("branches[0].operations[1].key");
        assertThat(a.body().get("message").asText()).contains("operation 'check' takes no key or headers");
        assertThat(send("GET", base + "/msg-bad-k", null).status()).isEqualTo(404);
    }

    @Test
    void aPendingMessageIsCheckedBackAndTheProducersAnswerDecides() throws Exception {
        checkAnswer.put("msg-2", 200);
        checkAnswer.put("msg-3", 409);
        assertThat(send("POST", base, begin("msg-2", 200, peerUrl + "/inbox")).status()).isEqualTo(201);
        assertThat(send("POST", base, begin("msg-3", 200, peerUrl + "/inbox")).status()).isEqualTo(201);
        awaitStatus("msg-2", "COMMITTED");
        awaitStatus("msg-3", "ABORTED");
        assertThat(checked.get("msg-2")).containsExactly("check");
        assertThat(delivered.get("msg-2")).hasSize(1);
        assertThat(delivered.get("msg-3")).isNull();
    }

    @Test
    void unansweredChecksParkTheMessageAndOnlyAValidResolveMovesIt() throws Exception {
        assertThat(send("POST", base, begin("msg-4", 100, peerUrl + "/inbox")).status()).isEqualTo(201);
        awaitStatus("msg-4", "PARKED");
        BadInputTest.Answer parked = send("GET", base + "/msg-4", null);
        assertThat(parked.body().get("reason").asText()).contains("parked after 2 check-backs");
        assertThat(metrics()).containsPattern("pactum_messages_parked_total\\{pattern=\"MSG\"[^}]*} [1-9]");

        for (String[] bad : new String[][]{{null, "body"}, {"{\"decision\":\"maybe\"}", "decision"},
                {"{}", "decision"}, {"{\"decision\":\"commit\",\"force\":true}", "force"}, {"[1]", "body"}}) {
            BadInputTest.Answer a = send("POST", base + "/msg-4/resolve", bad[0]);
            assertThat(a.status()).as(String.valueOf(bad[0])).isEqualTo(400);
            assertThat(a.body().get("field").asText()).as(String.valueOf(bad[0])).isEqualTo(bad[1]);
        }
        assertThat(send("GET", base + "/msg-4", null).body()).isEqualTo(parked.body());

        BadInputTest.Answer ok = send("POST", base + "/msg-4/resolve", "{\"decision\":\"commit\",\"reason\":\"checked the orders table\"}");
        assertThat(ok.status()).isEqualTo(200);
        awaitStatus("msg-4", "COMMITTED");
        assertThat(delivered.get("msg-4")).hasSize(1);
        BadInputTest.Answer again = send("POST", base + "/msg-4/resolve", "{\"decision\":\"abort\"}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().get("message").asText()).contains("it is COMMITTED, not PARKED");
        assertThat(send("POST", base + "/nope-1/resolve", "{\"decision\":\"abort\"}").status()).isEqualTo(404);
    }

    @Test
    void aDestinationNoConnectorServesIsRefusedAtBeginAndNothingIsStored() throws Exception {
        BadInputTest.Answer a = send("POST", base, begin("msg-5", 60_000, "foo://host/queue"));
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.body().get("field").asText()).isEqualTo("branches[0].operations[0].target");
        assertThat(a.body().get("message").asText()).contains("no connector for scheme 'foo'");
        assertThat(send("GET", base + "/msg-5", null).status()).isEqualTo(404);
    }

    private static String metrics() throws Exception {
        URI u = URI.create(base.replace("/api/v1/transactions", "/metrics"));
        return BadInputTest.http.send(HttpRequest.newBuilder(u).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static void awaitStatus(String gid, String status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String last = null;
        while (System.nanoTime() < deadline) {
            last = send("GET", base + "/" + gid, null).body().get("status").asText();
            if (status.equals(last)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(gid + " did not reach " + status + " (last " + last + ")");
    }
}
