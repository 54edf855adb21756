package dev.pactum.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pactum.api.BranchRequest;
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
import java.util.List;
import java.util.ArrayList;

import static dev.pactum.server.BadInputTest.send;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A begin that registers the first branches in the same durable write: one coordinator call fewer per branch, and
 * the SDK's default. Bad branches are refused naming the element and store nothing; a repeat is idempotent only
 * with the same branches. {@code Prefer: return=minimal} gets the lean answer (gid, pattern, status, reason, branch
 * ids and statuses) and says so; without it the answer is the full view, as before. The SDK asks for it, and with
 * its branches declared up front a transaction of two branches takes two coordinator calls.
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

    record Lean(int status, JsonNode body, String applied) {
    }

    static Lean post(String url, String body, String prefer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (prefer != null) {
            b.header("Prefer", prefer);
        }
        HttpResponse<String> r = BadInputTest.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Lean(r.statusCode(), Json.MAPPER.readTree(r.body()),
                r.headers().firstValue("Preference-Applied").orElse(null));
    }

    private static List<String> fields(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void aMinimalBeginRegisterAndSubmitAnswerOnlyIdsAndStatuses() throws Exception {
        Lean begun = post(base, "{\"gid\":\"min-1\",\"branches\":[" + tcc("pay") + "]}", "return=minimal");
        assertThat(begun.status()).isEqualTo(201);
        assertThat(begun.applied()).isEqualTo("return=minimal");
        assertThat(fields(begun.body())).containsExactly("gid", "pattern", "status", "branches");
        assertThat(begun.body().get("gid").asText()).isEqualTo("min-1");
        assertThat(begun.body().get("status").asText()).isEqualTo("ACTIVE");
        assertThat(fields(begun.body().get("branches").get(0))).containsExactly("branchId", "status");

        Lean branch = post(base + "/min-1/branches", tcc("ship"), "foo, return=minimal; bar=1");
        assertThat(branch.status()).isEqualTo(201);
        assertThat(branch.applied()).isEqualTo("return=minimal");
        assertThat(fields(branch.body())).containsExactly("branchId", "status");
        assertThat(branch.body().get("branchId").asText()).isEqualTo("ship");

        Lean submitted = post(base + "/min-1/submit", "{\"tried\":[\"pay\",\"ship\"]}", "return=minimal");
        assertThat(submitted.body().get("status").asText()).isEqualTo("COMMITTING");
        assertThat(submitted.body().get("reason").asText()).isEqualTo("submitted");
        assertThat(submitted.body().get("branches")).hasSize(2);
    }

    @Test
    void withoutThePreferenceTheAnswerIsTheFullView() throws Exception {
        Lean full = post(base, "{\"gid\":\"min-2\",\"branches\":[" + tcc("pay") + "]}", null);
        assertThat(full.applied()).isNull();
        assertThat(fields(full.body())).contains("createdAt", "timeoutAt", "branches");
        assertThat(fields(full.body().get("branches").get(0))).contains("operations", "confirmUrl", "attempts");
        Lean other = post(base, "{\"gid\":\"min-3\"}", "return=representation");
        assertThat(other.applied()).isNull();
        assertThat(fields(other.body())).contains("createdAt");
    }

    @Test
    void aReasonWithQuotesAndControlCharactersIsValidJson() throws Exception {
        post(base, "{\"gid\":\"min-4\"}", null);
        String reason = "he said \"no\" \\ then\nleft\u0001 \u00e9\ud83d\ude00";
        Lean aborted = post(base + "/min-4/abort", Json.MAPPER.writeValueAsString(java.util.Map.of("reason", reason)),
                "return=minimal");
        assertThat(aborted.status()).isEqualTo(200);
        assertThat(aborted.body().get("reason").asText()).isEqualTo(reason);
        assertThat(aborted.body().get("status").asText()).isEqualTo("ABORTING");
    }

    @Test
    void theSdkWithItsBranchesDeclaredTakesTwoCoordinatorCalls() throws Exception {
        try (PactumClient client = PactumClient.connect(URI.create(root))) {
            double before = requests();
            TransactionView v = client.tcc(Duration.ofSeconds(30), List.of(
                    BranchRequest.tcc("pay", participant.url("try"), participant.url("confirm"), participant.url("cancel")),
                    BranchRequest.tcc("ship", participant.url("try"), participant.url("confirm"), participant.url("cancel"))),
                    tx -> {
                        tx.tryBranch("pay", "{}");
                        tx.tryBranch("ship", participant.url("try"), participant.url("confirm"),
                                participant.url("cancel"), "{}");
                    });
            double calls = requests() - before - 1; // the first scrape is counted when it ends, after "before"
            assertThat(v.status()).isIn(GlobalStatus.COMMITTING, GlobalStatus.COMMITTED);
            assertThat(calls).as("begin with both branches, submit").isEqualTo(2);
            assertThat(v.branches()).extracting(b -> b.branchId()).containsExactly("pay", "ship");
            assertThat(client.awaitFinal(v.gid(), Duration.ofSeconds(20)).status()).isEqualTo(GlobalStatus.COMMITTED);
            assertThat(participant.count(v.gid(), "ship", "confirm")).isEqualTo(1);
        }
    }

    @Test
    void aDeclaredBranchTheBodyDidNotTryAbortsTheTransaction() throws Exception {
        try (PactumClient client = PactumClient.connect(URI.create(root))) {
            String[] gid = new String[1];
            assertThatThrownBy(() -> client.tcc(Duration.ofSeconds(30), List.of(
                    BranchRequest.tcc("pay", participant.url("try"), participant.url("confirm"), participant.url("cancel")),
                    BranchRequest.tcc("ship", participant.url("try"), participant.url("confirm"), participant.url("cancel"))),
                    tx -> {
                        tx.tryBranch("pay", "{}");
                        gid[0] = tx.gid();
                    })).isInstanceOf(IllegalStateException.class).hasMessageContaining("[ship]");
            TransactionView done = client.awaitFinal(gid[0], Duration.ofSeconds(20));
            assertThat(done.status()).isEqualTo(GlobalStatus.ABORTED);
            assertThat(participant.count(gid[0], "ship", "cancel")).isEqualTo(1);
            // Called with other URLs than declared: refused before anything is sent.
            assertThatThrownBy(() -> client.tcc(Duration.ofSeconds(30), List.of(
                    BranchRequest.tcc("pay", participant.url("try"), participant.url("confirm"), participant.url("cancel"))),
                    tx -> tx.tryBranch("pay", participant.url("try"), participant.url("other"), participant.url("cancel"),
                            "{}"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("declared as");
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
