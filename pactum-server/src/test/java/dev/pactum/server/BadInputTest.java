package dev.pactum.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pactum.api.PactumException;
import dev.pactum.client.PactumClient;
import dev.pactum.core.CoordinatorConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * Invariant 8: bad input gets a 4xx with a JSON body that names the problem, and changes nothing. Each test
 * sends raw HTTP (not the Java client, which would refuse to build some of these requests) and then checks
 * the stored state did not move.
 */
class BadInputTest {
    @TempDir
    static Path dir;
    static Coordinator coordinator;
    static HttpClient http;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        ServerConfig config = new ServerConfig("127.0.0.1", 0, dir, null, null, null, 64 * 1024, Duration.ofSeconds(5),
                CoordinatorConfig.builder().nodeId("bad-input").build());
        coordinator = Coordinator.start(config, Clock.systemUTC());
        http = HttpClient.newHttpClient();
        base = "http://127.0.0.1:" + coordinator.port() + "/api/v1/transactions";
    }

    @AfterAll
    static void stop() {
        http.close();
        coordinator.close();
    }

    record Answer(int status, JsonNode body) {
    }

    static Answer send(String method, String url, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json");
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), Json.MAPPER.readTree(r.body()));
    }

    static String begin(String gid) throws Exception {
        Answer a = send("POST", base, "{\"gid\":\"" + gid + "\",\"timeoutMs\":60000}");
        assertThat(a.status).isEqualTo(201);
        return gid;
    }

    static String branchJson(String id) {
        return "{\"branchId\":\"" + id + "\",\"confirmUrl\":\"http://127.0.0.1:1/c\",\"cancelUrl\":\"http://127.0.0.1:1/x\"}";
    }

    @Test
    void malformedJsonIsRejected() throws Exception {
        Answer a = send("POST", base, "{\"gid\": \"x1\",");
        assertThat(a.status).isEqualTo(400);
        assertThat(a.body.get("error").asText()).isEqualTo("malformed_json");
        assertThat(a.body.get("field").asText()).isEqualTo("body");
        assertThat(send("GET", base + "/x1", null).status).isEqualTo(404);
    }

    @Test
    void unknownFieldIsNamed() throws Exception {
        Answer a = send("POST", base, "{\"gid\":\"x2\",\"timeout\":5}");
        assertThat(a.status).isEqualTo(400);
        assertThat(a.body.get("field").asText()).isEqualTo("timeout");
        assertThat(send("GET", base + "/x2", null).status).isEqualTo(404);
    }

    @Test
    void negativeTimeoutIsRejected() throws Exception {
        Answer a = send("POST", base, "{\"gid\":\"x3\",\"timeoutMs\":-5}");
        assertThat(a.status).isEqualTo(400);
        assertThat(a.body.get("field").asText()).isEqualTo("timeoutMs");
        assertThat(a.body.get("message").asText()).contains("-5");
        assertThat(send("GET", base + "/x3", null).status).isEqualTo(404);
    }

    @Test
    void wrongTypeAndUnknownPatternAreNamed() throws Exception {
        Answer a = send("POST", base, "{\"gid\":\"x4\",\"timeoutMs\":\"soon\"}");
        assertThat(a.status).isEqualTo(400);
        assertThat(a.body.get("field").asText()).isEqualTo("timeoutMs");
        Answer b = send("POST", base, "{\"gid\":\"x4\",\"pattern\":\"PAXOS\"}");
        assertThat(b.status).isEqualTo(400);
        assertThat(b.body.get("field").asText()).isEqualTo("pattern");
        assertThat(send("GET", base + "/x4", null).status).isEqualTo(404);
    }

    @Test
    void invalidGidIsRejected() throws Exception {
        Answer a = send("POST", base, "{\"gid\":\"has space\"}");
        assertThat(a.status).isEqualTo(400);
        assertThat(a.body.get("field").asText()).isEqualTo("gid");
    }

    @Test
    void unknownIdsAnswer404() throws Exception {
        for (Answer a : new Answer[]{send("GET", base + "/nope", null), send("POST", base + "/nope/submit", "{\"tried\":[]}"),
                send("POST", base + "/nope/abort", "{}"), send("POST", base + "/nope/branches", branchJson("b"))}) {
            assertThat(a.status).isEqualTo(404);
            assertThat(a.body.get("error").asText()).isEqualTo("unknown_transaction");
            assertThat(a.body.get("gid").asText()).isEqualTo("nope");
        }
    }

    @Test
    void noRouteAnswerIsNotTheUnknownTransactionAnswer() throws Exception {
        // Issue 6, item 3: both were "404 not_found"; a client could not tell a wrong base path from a missing gid.
        for (String url : new String[]{"http://127.0.0.1:" + coordinator.port() + "/wrong/api/v1/transactions/nope",
                base + "/nope/commit", base + "/nope/branches/b1"}) {
            Answer a = send("POST", url, "{}");
            assertThat(a.status).isEqualTo(404);
            assertThat(a.body.get("error").asText()).as(url).isEqualTo("no_route");
            assertThat(a.body.get("gid")).as(url).isNull();
        }
    }

    @Test
    void wrongBasePathIsNotAnUnknownTransactionForTheClient() {
        // What made the XA participant roll back committed branches: a client at a wrong base path was told
        // "not found" for every gid.
        String gid = "known-elsewhere";
        try (PactumClient wrong = PactumClient.connect(URI.create("http://127.0.0.1:" + coordinator.port() + "/wrong"))) {
            PactumException e = catchThrowableOfType(PactumException.class, () -> wrong.get(gid));
            assertThat(e.code()).isEqualTo("no_route");
            assertThat(e.getClass()).isEqualTo(PactumException.class);
        }
        try (PactumClient right = PactumClient.connect(URI.create("http://127.0.0.1:" + coordinator.port()))) {
            PactumException e = catchThrowableOfType(PactumException.class, () -> right.get(gid));
            assertThat(e.code()).isEqualTo("unknown_transaction");
            assertThat(e.gid()).isEqualTo(gid);
        }
    }

    /** A 4xx with the API's JSON error body (docs/openapi.yaml, ErrorBody). */
    static JsonNode assertErrorBody(RawHttp.Answer a, int status) throws Exception {
        assertThat(a.status()).as("status of: " + a.text()).isEqualTo(status);
        assertThat(a.header("Content-Type")).startsWith("application/json");
        JsonNode body = Json.MAPPER.readTree(a.body());
        assertThat(body.get("error").isTextual()).as(a.text()).isTrue();
        assertThat(body.get("message").isTextual()).as(a.text()).isTrue();
        return body;
    }

    @Test
    void bodyThatIsNotUtf32AnswersBadRequestNot500() throws Exception {
        // Jackson reads these four bytes as UTF-32 and then throws CharConversionException, which is not a
        // JsonProcessingException: it used to reach the catch-all and answer 500.
        byte[] body = {0, 0, 0, '{', (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0, 0, 0, '}'};
        RawHttp.Answer a = RawHttp.exchange(coordinator.port(), RawHttp.request("POST", "/api/v1/transactions",
                "Content-Type: application/json\r\n", body));
        assertThat(assertErrorBody(a, 400).get("field").asText()).isEqualTo("body");
    }

    @Test
    void badPercentEscapeInQueryAnswersBadRequestNot500() throws Exception {
        for (String q : new String[]{"status=%zz", "limit=%", "after=%C3%28", "%zz=1"}) {
            RawHttp.Answer a = RawHttp.exchange(coordinator.port(),
                    RawHttp.request("GET", "/api/v1/transactions?" + q, "", null));
            assertThat(assertErrorBody(a, 400).get("field").asText()).as(q).isEqualTo("query");
        }
    }

    @Test
    void answersJettyGivesByItselfAreJsonErrorBodies() throws Exception {
        int port = coordinator.port();
        // a bad escape in the path, a request line that does not parse, headers far too large
        assertErrorBody(RawHttp.exchange(port, RawHttp.request("GET", "/api/v1/transactions/%zz", "", null)), 400);
        assertErrorBody(RawHttp.exchange(port, "GARBAGE\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)), 400);
        assertErrorBody(RawHttp.exchange(port, RawHttp.request("GET", "/health", "X-Big: " + "x".repeat(64 * 1024)
                + "\r\n", null)), 431);
    }

    @Test
    void requestsJettyAnswersWith5xxGet400() throws Exception {
        int port = coordinator.port();
        // an unknown transfer coding (Jetty: 501) and an unknown HTTP version (Jetty: 505) are the client's doing
        RawHttp.Answer coding = RawHttp.exchange(port, RawHttp.request("POST", "/api/v1/transactions",
                "Transfer-Encoding: gzip, chunked\r\n", "{}".getBytes(StandardCharsets.UTF_8)));
        assertErrorBody(coding, 400);
        RawHttp.Answer version = RawHttp.exchange(port, "GET /health HTTP/1.7\r\nHost: x\r\n\r\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertErrorBody(version, 400);
    }

    @Test
    void branchUrlThatCanNeverBeCalledIsRefused() throws Exception {
        String gid = begin("never-callable");
        for (String url : new String[]{"http://127.0.0.1:99999/c", "http://127.0.0.1:0/c", "http://127.0.0.1:/c",
                "http://user:secret@127.0.0.1:8080/c", "http://127.0.0.1:8080/c#frag", "http://bad_host/c",
                "http:///c", "http:c", "mailto:a@b"}) {
            Answer a = send("POST", base + "/" + gid + "/branches", "{\"branchId\":\"b1\",\"confirmUrl\":\"" + url
                    + "\",\"cancelUrl\":\"http://127.0.0.1:1/x\"}");
            assertThat(a.status).as(url).isEqualTo(400);
            assertThat(a.body.get("field").asText()).as(url).isEqualTo("confirmUrl");
            assertThat(a.body.get("message").asText()).as(url).doesNotContain("secret");
        }
        assertThat(send("GET", base + "/" + gid, null).body.get("branches")).isEmpty();
        assertThat(send("POST", base + "/" + gid + "/branches", "{\"branchId\":\"b1\",\"confirmUrl\":"
                + "\"https://[::1]:65535/c?x=1\",\"cancelUrl\":\"http://localhost/x\"}").status).isEqualTo(201);
    }

    @Test
    void conflictingRepeatedBeginIsRefusedNamingTheField() throws Exception {
        String body = "{\"gid\":\"repeat-begin\",\"pattern\":\"TCC\",\"timeoutMs\":60000}";
        assertThat(send("POST", base, body).status).isEqualTo(201);
        assertThat(send("POST", base, body).status).isEqualTo(200); // the same body: idempotent
        Answer timeout = send("POST", base, "{\"gid\":\"repeat-begin\",\"timeoutMs\":5000}");
        assertThat(timeout.status).isEqualTo(409);
        assertThat(timeout.body.get("field").asText()).isEqualTo("timeoutMs");
        assertThat(timeout.body.get("gid").asText()).isEqualTo("repeat-begin");
        Answer pattern = send("POST", base, "{\"gid\":\"repeat-begin\",\"pattern\":\"XA\",\"timeoutMs\":60000}");
        assertThat(pattern.status).isEqualTo(409);
        assertThat(pattern.body.get("field").asText()).isEqualTo("pattern");
        JsonNode stored = send("GET", base + "/repeat-begin", null).body;
        assertThat(stored.get("pattern").asText()).isEqualTo("TCC");
        assertThat(Duration.between(Instant.parse(stored.get("createdAt").asText()),
                Instant.parse(stored.get("timeoutAt").asText()))).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void branchRegisteredTwiceIsAConflictAndKeepsTheFirst() throws Exception {
        String gid = begin("dup-branch");
        assertThat(send("POST", base + "/" + gid + "/branches", branchJson("b1")).status).isEqualTo(201);
        Answer again = send("POST", base + "/" + gid + "/branches",
                "{\"branchId\":\"b1\",\"confirmUrl\":\"http://other/c\",\"cancelUrl\":\"http://other/x\"}");
        assertThat(again.status).isEqualTo(409);
        assertThat(again.body.get("message").asText()).contains("b1").contains("already registered");
        JsonNode tx = send("GET", base + "/" + gid, null).body;
        assertThat(tx.get("branches")).hasSize(1);
        assertThat(tx.get("branches").get(0).get("confirmUrl").asText()).isEqualTo("http://127.0.0.1:1/c");
    }

    @Test
    void branchWithoutUrlsIsRejected() throws Exception {
        String gid = begin("bad-branch");
        Answer a = send("POST", base + "/" + gid + "/branches", "{\"branchId\":\"b1\",\"confirmUrl\":\"ftp://x/c\","
                + "\"cancelUrl\":\"http://x/c\"}");
        assertThat(a.status).isEqualTo(400);
        assertThat(a.body.get("field").asText()).isEqualTo("confirmUrl");
        Answer b = send("POST", base + "/" + gid + "/branches", "{\"branchId\":\"b1\",\"confirmUrl\":\"http://x/c\"}");
        assertThat(b.status).isEqualTo(400);
        assertThat(b.body.get("field").asText()).isEqualTo("cancelUrl");
        assertThat(send("GET", base + "/" + gid, null).body.get("branches")).isEmpty();
    }

    @Test
    void submitAfterAbortIsAConflictNamingTheStatus() throws Exception {
        String gid = begin("submit-after-abort");
        assertThat(send("POST", base + "/" + gid + "/abort", "{\"reason\":\"changed my mind\"}").status).isEqualTo(200);
        Answer a = send("POST", base + "/" + gid + "/submit", "{\"tried\":[]}");
        assertThat(a.status).isEqualTo(409);
        assertThat(a.body.get("gid").asText()).isEqualTo(gid);
        assertThat(a.body.get("status").asText()).isIn("ABORTING", "ABORTED");
        assertThat(send("GET", base + "/" + gid, null).body.get("status").asText()).isIn("ABORTING", "ABORTED");
    }

    @Test
    void abortAfterSubmitIsAConflict() throws Exception {
        String gid = begin("abort-after-submit");
        assertThat(send("POST", base + "/" + gid + "/submit", "{\"tried\":[]}").status).isEqualTo(200);
        Answer a = send("POST", base + "/" + gid + "/abort", "{}");
        assertThat(a.status).isEqualTo(409);
        assertThat(a.body.get("status").asText()).isIn("COMMITTING", "COMMITTED");
    }

    @Test
    void submitWithAnUntriedBranchIsRefused() throws Exception {
        String gid = begin("untried");
        send("POST", base + "/" + gid + "/branches", branchJson("b1"));
        send("POST", base + "/" + gid + "/branches", branchJson("b2"));
        Answer a = send("POST", base + "/" + gid + "/submit", "{\"tried\":[\"b1\"]}");
        assertThat(a.status).isEqualTo(409);
        assertThat(a.body.get("message").asText()).contains("b2");
        assertThat(send("GET", base + "/" + gid, null).body.get("status").asText()).isEqualTo("ACTIVE");
    }

    @Test
    void submitWithoutTheTriedListIsRejected() throws Exception {
        String gid = begin("no-tried");
        send("POST", base + "/" + gid + "/branches", branchJson("b1"));
        for (String body : new String[]{null, "{}", "{\"tried\":null}"}) {
            Answer a = send("POST", base + "/" + gid + "/submit", body);
            assertThat(a.status).isEqualTo(400);
            assertThat(a.body.get("field").asText()).isEqualTo("tried");
        }
        assertThat(send("GET", base + "/" + gid, null).body.get("status").asText()).isEqualTo("ACTIVE");
    }

    @Test
    void methodNotAllowedNamesTheAllowedMethods() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/x")).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).contains("GET");
    }

    @Test
    void oversizedBodyIsRejected() throws Exception {
        String big = "{\"gid\":\"big\",\"reason\":\"" + "x".repeat(70_000) + "\"}";
        Answer a = send("POST", base, big);
        assertThat(a.status).isEqualTo(413);
        assertThat(a.body.get("error").asText()).isEqualTo("too_large");
        assertThat(send("GET", base + "/big", null).status).isEqualTo(404);
    }

    @Test
    void badListParametersAreNamed() throws Exception {
        assertThat(send("GET", base + "?status=DONE", null).body.get("field").asText()).isEqualTo("status");
        assertThat(send("GET", base + "?limit=0", null).body.get("field").asText()).isEqualTo("limit");
        assertThat(send("GET", base + "?limit=ten", null).body.get("field").asText()).isEqualTo("limit");
    }

    @Test
    void unknownRouteAndMethodAnswerJson() throws Exception {
        assertThat(send("GET", "http://127.0.0.1:" + coordinator.port() + "/nothing", null).status).isEqualTo(404);
        Answer a = send("DELETE", base + "/x", null);
        assertThat(a.status).isEqualTo(405);
        assertThat(a.body.get("error").asText()).isEqualTo("method_not_allowed");
    }
}
