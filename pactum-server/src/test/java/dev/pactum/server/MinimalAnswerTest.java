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
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code Prefer: return=minimal} gets the lean answer (gid, pattern, status, reason, branch ids and statuses) and says
 * so; without it the answer is the full view, as before. The SDK asks for it, and with its branches declared up front
 * a transaction of two branches takes two coordinator calls.
 */
class MinimalAnswerTest {
    @TempDir
    static Path dir;
    static Coordinator coordinator;
    static CountingParticipant participant;
    static HttpClient http;
    static String root;
    static String base;

    @BeforeAll
    static void start() throws Exception {
        participant = new CountingParticipant();
        coordinator = Coordinator.start(new ServerConfig("127.0.0.1", 0, dir, null, null, null, 64 * 1024,
                Duration.ofSeconds(5), CoordinatorConfig.builder().nodeId("minimal").build()), Clock.systemUTC());
        http = HttpClient.newHttpClient();
        root = "http://127.0.0.1:" + coordinator.port();
        base = root + "/api/v1/transactions";
    }

    @AfterAll
    static void stop() throws Exception {
        coordinator.close();
        participant.close();
        http.close();
    }

    record Answer(int status, JsonNode body, String applied) {
    }

    static Answer post(String url, String body, String prefer) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (prefer != null) {
            b.header("Prefer", prefer);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), Json.MAPPER.readTree(r.body()),
                r.headers().firstValue("Preference-Applied").orElse(null));
    }

    private static String tcc(String id) {
        return "{\"branchId\":\"" + id + "\",\"confirmUrl\":\"" + participant.url("confirm") + "\",\"cancelUrl\":\""
                + participant.url("cancel") + "\"}";
    }

    private static List<String> fields(JsonNode n) {
        List<String> out = new ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    @Test
    void aMinimalBeginRegisterAndSubmitAnswerOnlyIdsAndStatuses() throws Exception {
        Answer begun = post(base, "{\"gid\":\"min-1\",\"branches\":[" + tcc("pay") + "]}", "return=minimal");
        assertThat(begun.status()).isEqualTo(201);
        assertThat(begun.applied()).isEqualTo("return=minimal");
        assertThat(fields(begun.body())).containsExactly("gid", "pattern", "status", "branches");
        assertThat(begun.body().get("gid").asText()).isEqualTo("min-1");
        assertThat(begun.body().get("status").asText()).isEqualTo("ACTIVE");
        assertThat(fields(begun.body().get("branches").get(0))).containsExactly("branchId", "status");

        Answer branch = post(base + "/min-1/branches", tcc("ship"), "foo, return=minimal; bar=1");
        assertThat(branch.status()).isEqualTo(201);
        assertThat(branch.applied()).isEqualTo("return=minimal");
        assertThat(fields(branch.body())).containsExactly("branchId", "status");
        assertThat(branch.body().get("branchId").asText()).isEqualTo("ship");

        Answer submitted = post(base + "/min-1/submit", "{\"tried\":[\"pay\",\"ship\"]}", "return=minimal");
        assertThat(submitted.body().get("status").asText()).isEqualTo("COMMITTING");
        assertThat(submitted.body().get("reason").asText()).isEqualTo("submitted");
        assertThat(submitted.body().get("branches")).hasSize(2);
    }

    @Test
    void withoutThePreferenceTheAnswerIsTheFullView() throws Exception {
        Answer full = post(base, "{\"gid\":\"min-2\",\"branches\":[" + tcc("pay") + "]}", null);
        assertThat(full.applied()).isNull();
        assertThat(fields(full.body())).contains("createdAt", "timeoutAt", "branches");
        assertThat(fields(full.body().get("branches").get(0))).contains("operations", "confirmUrl", "attempts");
        Answer other = post(base, "{\"gid\":\"min-3\"}", "return=representation");
        assertThat(other.applied()).isNull();
        assertThat(fields(other.body())).contains("createdAt");
    }

    @Test
    void aReasonWithQuotesAndControlCharactersIsValidJson() throws Exception {
        post(base, "{\"gid\":\"min-4\"}", null);
        String reason = "he said \"no\" \\ then\nleft\u0001 \u00e9\ud83d\ude00";
        Answer aborted = post(base + "/min-4/abort", Json.MAPPER.writeValueAsString(java.util.Map.of("reason", reason)),
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
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(root + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        double sum = 0;
        for (String line : r.body().split("\n")) {
            if (line.startsWith("pactum_http_requests_seconds_count")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
