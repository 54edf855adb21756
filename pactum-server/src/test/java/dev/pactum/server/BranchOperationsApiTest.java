package dev.pactum.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pactum.core.CoordinatorConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import static dev.pactum.server.BadInputTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Branches given by their operations (name, target, payload) rather than by URL fields: accepted for the pattern's
 * names, shown back in the view with the old URL fields derived, refused with the element named otherwise.
 */
class BranchOperationsApiTest {
    @TempDir
    static Path dir;
    static Coordinator coordinator;
    static CountingParticipant participant;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        participant = new CountingParticipant();
        coordinator = Coordinator.start(new ServerConfig("127.0.0.1", 0, dir, null, null, null, 64 * 1024,
                Duration.ofSeconds(5), CoordinatorConfig.builder().nodeId("ops").build()), Clock.systemUTC());
        BadInputTest.http = java.net.http.HttpClient.newHttpClient();
        base = "http://127.0.0.1:" + coordinator.port() + "/api/v1/transactions";
    }

    @AfterAll
    static void stop() throws Exception {
        coordinator.close();
        participant.close();
    }

    private static String begin(String gid, String pattern) throws Exception {
        assertThat(send("POST", base, "{\"gid\":\"" + gid + "\",\"pattern\":\"" + pattern + "\"}").status())
                .isEqualTo(201);
        return gid;
    }

    @Test
    void aTccBranchGivenByOperationsIsConfirmedAtItsTargetAndShownWithBothShapes() throws Exception {
        String gid = begin("ops-tcc-1", "TCC");
        BadInputTest.Answer reg = send("POST", base + "/" + gid + "/branches", "{\"branchId\":\"pay\",\"operations\":["
                + "{\"name\":\"confirm\",\"target\":\"" + participant.url("confirm") + "\",\"payload\":\"{\\\"amount\\\":50}\"},"
                + "{\"name\":\"cancel\",\"target\":\"" + participant.url("cancel") + "\"}]}");
        assertThat(reg.status()).isEqualTo(201);
        JsonNode ops = reg.body().get("operations");
        assertThat(ops).hasSize(2);
        assertThat(ops.get(0).get("name").asText()).isEqualTo("confirm");
        assertThat(ops.get(0).get("payload").asText()).isEqualTo("{\"amount\":50}");
        assertThat(reg.body().get("confirmUrl").asText()).isEqualTo(participant.url("confirm"));

        assertThat(send("POST", base + "/" + gid + "/submit", "{\"tried\":[\"pay\"]}").status()).isEqualTo(200);
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (participant.count(gid, "pay", "confirm") == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(participant.count(gid, "pay", "confirm")).isEqualTo(1);
        assertThat(participant.lastBody(gid, "pay", "confirm")).as("the operation's payload is the body")
                .isEqualTo("{\"amount\":50}");
    }

    @Test
    void anXaBranchByOperationsNeedsPrepareCommitAndRollback() throws Exception {
        String gid = begin("ops-xa-1", "XA");
        BadInputTest.Answer missing = send("POST", base + "/" + gid + "/branches", "{\"branchId\":\"b\",\"operations\":["
                + "{\"name\":\"prepare\",\"target\":\"http://127.0.0.1:1/p\"},"
                + "{\"name\":\"commit\",\"target\":\"http://127.0.0.1:1/c\"}]}");
        assertThat(missing.status()).isEqualTo(400);
        assertThat(missing.body().get("field").asText()).isEqualTo("operations");
        assertThat(missing.body().get("message").asText()).contains("rollback");
        assertThat(send("GET", base + "/" + gid, null).body().get("branches")).isEmpty();
    }

    @Test
    void badOperationsAreRefusedNamingTheElementAndChangeNothing() throws Exception {
        String gid = begin("ops-bad-1", "TCC");
        String c = "{\"name\":\"confirm\",\"target\":\"http://127.0.0.1:1/c\"}";
        String x = "{\"name\":\"cancel\",\"target\":\"http://127.0.0.1:1/x\"}";
        assertRefused(gid, "{\"branchId\":\"b\",\"operations\":[" + c + "," + x + "],\"confirmUrl\":\"http://a/c\"}",
                "confirmUrl");
        assertRefused(gid, "{\"branchId\":\"b\",\"operations\":[]}", "operations");
        assertRefused(gid, "{\"branchId\":\"b\",\"operations\":[" + c + ",{\"name\":\"prepare\",\"target\":\"http://a/p\"}]}",
                "operations[1].name");
        assertRefused(gid, "{\"branchId\":\"b\",\"operations\":[" + c + "," + c + "," + x + "]}", "operations[1].name");
        assertRefused(gid, "{\"branchId\":\"b\",\"operations\":[" + c + ",{\"name\":\"Cancel!\",\"target\":\"http://a/x\"}]}",
                "operations[1].name");
        assertRefused(gid, "{\"branchId\":\"b\",\"operations\":[" + c + ",{\"name\":\"cancel\",\"target\":\"http://a:99999/x\"}]}",
                "operations[1].target");
        assertRefused(gid, "{\"branchId\":\"b\",\"operations\":[" + c + ",null]}", "operations[1]");
        assertRefused(gid, "{\"branchId\":\"b\",\"operations\":[" + c + "," + x.replace("}", ",\"payload\":\""
                + "p".repeat(32 * 1024 + 1) + "\"}") + "]}", "operations[1].payload");
        assertRefused(gid, "{\"branchId\":\"b\",\"operations\":[" + c + "," + x.replace("}", ",\"key\":\"k\"}") + "]}",
                "operations[1].key");
        assertRefused(gid, "{\"branchId\":\"b\",\"operations\":[" + c.replace("}", ",\"headers\":{\"a\":\"b\"}}") + ","
                + x + "]}", "operations[0].headers");
        BadInputTest.Answer unknownField = send("POST", base + "/" + gid + "/branches",
                "{\"branchId\":\"b\",\"operations\":[{\"name\":\"confirm\",\"target\":\"http://a/c\",\"url\":\"x\"}," + x + "]}");
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(send("GET", base + "/" + gid, null).body().get("branches")).isEmpty();
    }

    @Test
    void anXaBranchByOperationsOfferedToATccTransactionIsAConflict() throws Exception {
        String gid = begin("ops-mix-1", "TCC");
        BadInputTest.Answer a = send("POST", base + "/" + gid + "/branches", "{\"branchId\":\"b\",\"operations\":["
                + "{\"name\":\"prepare\",\"target\":\"http://127.0.0.1:1/p\"},"
                + "{\"name\":\"commit\",\"target\":\"http://127.0.0.1:1/c\"},"
                + "{\"name\":\"rollback\",\"target\":\"http://127.0.0.1:1/r\"}]}");
        assertThat(a.status()).isEqualTo(409);
        assertThat(a.body().get("message").asText()).contains("XA branch cannot join");
    }

    private static void assertRefused(String gid, String body, String field) throws Exception {
        BadInputTest.Answer a = send("POST", base + "/" + gid + "/branches", body);
        assertThat(a.status()).as(body.length() > 300 ? body.substring(0, 300) : body).isEqualTo(400);
        assertThat(a.body().get("field").asText()).isEqualTo(field);
        assertThat(send("GET", base + "/" + gid, null).body().get("branches")).isEmpty();
    }
}
