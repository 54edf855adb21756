package dev.pactum.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.TransactionView;
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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import static dev.pactum.server.BadInputTest.send;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A begin that registers the first branches in the same durable write: one coordinator call fewer per branch, and
 * the SDK's default. Bad branches are refused naming the element and store nothing; a repeat is idempotent only
 * with the same branches.
 */
class BeginWithBranchesTest {
    @TempDir
    static Path dir;
    static Coordinator coordinator;
    static CountingParticipant participant;
    static String root;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        participant = new CountingParticipant();
        coordinator = Coordinator.start(new ServerConfig("127.0.0.1", 0, dir, null, null, null, 64 * 1024,
                Duration.ofSeconds(5), CoordinatorConfig.builder().nodeId("begin-branches").build()), Clock.systemUTC());
        BadInputTest.http = HttpClient.newHttpClient();
        root = "http://127.0.0.1:" + coordinator.port();
        base = root + "/api/v1/transactions";
    }

    @AfterAll
    static void stop() throws Exception {
        coordinator.close();
        participant.close();
    }

    private static String tcc(String id) {
        return "{\"branchId\":\"" + id + "\",\"confirmUrl\":\"" + participant.url("confirm") + "\",\"cancelUrl\":\""
                + participant.url("cancel") + "\"}";
    }

    @Test
    void aBeginWithBranchesRegistersThemAndTheyAreConfirmedAfterTheSubmit() throws Exception {
        BadInputTest.Answer a = send("POST", base, "{\"gid\":\"bwb-1\",\"branches\":[" + tcc("pay") + "," + tcc("ship") + "]}");
        assertThat(a.status()).isEqualTo(201);
        JsonNode branches = a.body().get("branches");
        assertThat(branches).hasSize(2);
        assertThat(branches.get(0).get("branchId").asText()).isEqualTo("pay");
        assertThat(branches.get(1).get("status").asText()).isEqualTo("REGISTERED");

        assertThat(send("POST", base + "/bwb-1/submit", "{\"tried\":[\"pay\",\"ship\"]}").status()).isEqualTo(200);
        awaitStatus("bwb-1", "COMMITTED");
        assertThat(participant.count("bwb-1", "pay", "confirm")).isEqualTo(1);
        assertThat(participant.count("bwb-1", "ship", "confirm")).isEqualTo(1);
    }

    @Test
    void aBadBranchInABeginIsRefusedNamingItAndNothingIsStored() throws Exception {
        BadInputTest.Answer bad = send("POST", base, "{\"gid\":\"bwb-2\",\"branches\":[" + tcc("pay")
                + ",{\"branchId\":\"ship\",\"confirmUrl\":\"http://127.0.0.1:99999/c\",\"cancelUrl\":\"http://a/x\"}]}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().get("field").asText()).isEqualTo("branches[1].confirmUrl");
        BadInputTest.Answer twice = send("POST", base, "{\"gid\":\"bwb-2\",\"branches\":[" + tcc("pay") + "," + tcc("pay") + "]}");
        assertThat(twice.status()).isEqualTo(400);
        assertThat(twice.body().get("field").asText()).isEqualTo("branches[1].branchId");
        BadInputTest.Answer nul = send("POST", base, "{\"gid\":\"bwb-2\",\"branches\":[null]}");
        assertThat(nul.body().get("field").asText()).isEqualTo("branches[0]");
        // A branch of another pattern is a conflict only with a transaction that exists; here nothing does.
        BadInputTest.Answer xa = send("POST", base, "{\"gid\":\"bwb-2\",\"branches\":[{\"branchId\":\"b\","
                + "\"prepareUrl\":\"http://a/p\",\"commitUrl\":\"http://a/c\",\"rollbackUrl\":\"http://a/r\"}]}");
        assertThat(xa.status()).isEqualTo(400);
        assertThat(xa.body().get("field").asText()).isEqualTo("branches[0]");
        assertThat(send("GET", base + "/bwb-2", null).status()).isEqualTo(404);
    }

    @Test
    void aRepeatedBeginIsIdempotentWithTheSameBranchesAndAConflictWithOthers() throws Exception {
        String body = "{\"gid\":\"bwb-3\",\"branches\":[" + tcc("pay") + "]}";
        assertThat(send("POST", base, body).status()).isEqualTo(201);
        BadInputTest.Answer same = send("POST", base, body);
        assertThat(same.status()).isEqualTo(200);
        assertThat(same.body().get("branches")).hasSize(1);
        BadInputTest.Answer other = send("POST", base, "{\"gid\":\"bwb-3\",\"branches\":[" + tcc("ship") + "]}");
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.body().get("field").asText()).isEqualTo("branches");
        assertThat(send("GET", base + "/bwb-3", null).body().get("branches")).hasSize(1);
    }

    @Test
    void theSdkBeginsWithTheFirstBranchSoTwoBranchesTakeThreeCoordinatorCalls() throws Exception {
        try (PactumClient client = PactumClient.connect(URI.create(root))) {
            double before = requests();
            TransactionView v = client.tcc(Duration.ofSeconds(30), tx -> {
                tx.tryBranch("pay", participant.url("try"), participant.url("confirm"), participant.url("cancel"), "{}");
                tx.tryBranch("ship", participant.url("try"), participant.url("confirm"), participant.url("cancel"), "{}");
            });
            double calls = requests() - before - 1; // the first scrape is counted when it ends, after "before"
            assertThat(v.status()).isIn(GlobalStatus.COMMITTING, GlobalStatus.COMMITTED);
            assertThat(calls).as("begin with the first branch, register the second, submit").isEqualTo(3);
            assertThat(participant.count(v.gid(), "pay", "try")).isEqualTo(1);
        }
    }

    private static double requests() throws Exception {
        HttpResponse<String> r = BadInputTest.http.send(HttpRequest.newBuilder(URI.create(root + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        double sum = 0;
        for (String line : r.body().split("\n")) {
            if (line.startsWith("pactum_http_requests_seconds_count")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static void awaitStatus(String gid, String status) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (status.equals(send("GET", base + "/" + gid, null).body().get("status").asText())) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(gid + " did not reach " + status);
    }
}
