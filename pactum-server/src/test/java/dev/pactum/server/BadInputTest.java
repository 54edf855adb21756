package dev.pactum.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pactum.core.CoordinatorConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

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
            assertThat(a.body.get("error").asText()).isEqualTo("not_found");
            assertThat(a.body.get("gid").asText()).isEqualTo("nope");
        }
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
