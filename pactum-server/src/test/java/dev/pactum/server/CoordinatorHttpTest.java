package dev.pactum.server;

import dev.pactum.api.BranchStatus;
import dev.pactum.api.ConflictException;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.TransactionView;
import dev.pactum.client.PactumClient;
import dev.pactum.client.TccTransaction;
import dev.pactum.client.TryFailedException;
import dev.pactum.core.CoordinatorConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The TCC lifecycle through the real HTTP server, the embedded store and the Java client. */
class CoordinatorHttpTest {
    @TempDir
    Path dir;
    Coordinator coordinator;
    PactumClient client;
    CountingParticipant p;

    @BeforeEach
    void start() throws Exception {
        CoordinatorConfig cc = CoordinatorConfig.builder().nodeId("test").retryBase(Duration.ofMillis(20))
                .retryCap(Duration.ofMillis(200)).workerInterval(Duration.ofMillis(20)).build();
        ServerConfig config = new ServerConfig("127.0.0.1", 0, dir, null, null, null, 64 * 1024, Duration.ofSeconds(5), cc,
                0);
        coordinator = Coordinator.start(config, Clock.systemUTC());
        client = PactumClient.connect(address());
        p = new CountingParticipant();
    }

    /** Where the SDK reaches the coordinator: HTTP here, the wire protocol in {@link CoordinatorWireTest}. */
    URI address() {
        return URI.create("http://127.0.0.1:" + coordinator.port());
    }

    @AfterEach
    void stop() {
        p.close();
        client.close();
        coordinator.close();
    }

    @Test
    void submittedTransactionIsConfirmedOnEveryBranch() throws Exception {
        TransactionView v = client.tcc(Duration.ofSeconds(30), tx -> {
            tx.tryBranch("a", p.url("try"), p.url("confirm"), p.url("cancel"), "{}");
            tx.tryBranch("b", p.url("try"), p.url("confirm"), p.url("cancel"), "{}");
        });
        TransactionView done = client.awaitFinal(v.gid(), Duration.ofSeconds(10));
        assertThat(done.status()).isEqualTo(GlobalStatus.COMMITTED);
        assertThat(done.branches()).extracting(b -> b.status()).containsOnly(BranchStatus.CONFIRMED);
        for (String b : new String[]{"a", "b"}) {
            assertThat(p.count(v.gid(), b, "confirm")).isEqualTo(1);
            assertThat(p.count(v.gid(), b, "cancel")).isZero();
        }
    }

    @Test
    void metricsPublishTheEmbeddedStoresWritesAndFsyncs() throws Exception {
        TransactionView v = client.tcc(Duration.ofSeconds(30), tx ->
                tx.tryBranch("a", p.url("try"), p.url("confirm"), p.url("cancel"), "{}"));
        client.awaitFinal(v.gid(), Duration.ofSeconds(10));
        HttpResponse<String> r;
        try (HttpClient http = HttpClient.newHttpClient()) {
            r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + coordinator.port() + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString());
        }
        assertThat(r.statusCode()).isEqualTo(200);
        // The begin (with its first branch) and the decision are synced: at least one fsync, never more than the
        // synced writes.
        long fsyncs = metric(r.body(), "pactum_store_fsyncs_total");
        long synced = metric(r.body(), "pactum_store_synced_writes_total");
        assertThat(fsyncs).isPositive().isLessThanOrEqualTo(synced);
        assertThat(synced).isGreaterThanOrEqualTo(2);
        assertThat(metric(r.body(), "pactum_store_writes_total")).isGreaterThan(synced);
        assertThat(coordinator.storeStats()).hasValueSatisfying(s -> assertThat(s.fsyncs()).isGreaterThanOrEqualTo(fsyncs));
    }

    private static long metric(String scrape, String name) {
        return scrape.lines().filter(l -> l.startsWith(name + "{")).findFirst()
                .map(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .orElseThrow(() -> new AssertionError(name + " not in /metrics"));
    }

    @Test
    void failedTryAbortsAndCancelsEveryRegisteredBranch() throws Exception {
        p.tryAnswer = () -> 409;
        TccTransaction[] holder = new TccTransaction[1];
        assertThatThrownBy(() -> client.tcc(Duration.ofSeconds(30), tx -> {
            holder[0] = tx;
            tx.tryBranch("a", p.url("try"), p.url("confirm"), p.url("cancel"), "{}");
        })).isInstanceOf(TryFailedException.class);
        TransactionView done = client.awaitFinal(holder[0].gid(), Duration.ofSeconds(10));
        assertThat(done.status()).isEqualTo(GlobalStatus.ABORTED);
        assertThat(p.count(holder[0].gid(), "a", "cancel")).isEqualTo(1);
        assertThat(p.count(holder[0].gid(), "a", "confirm")).isZero();
    }

    @Test
    void confirmIsRetriedUntilTheParticipantAnswers() throws Exception {
        int[] refusals = {3};
        p.answer = () -> refusals[0]-- > 0 ? 503 : 200;
        TransactionView v = client.tcc(Duration.ofSeconds(30),
                tx -> tx.tryBranch("a", p.url("try"), p.url("confirm"), p.url("cancel"), "{}"));
        TransactionView done = client.awaitFinal(v.gid(), Duration.ofSeconds(20));
        assertThat(done.status()).isEqualTo(GlobalStatus.COMMITTED);
        assertThat(done.branches().getFirst().attempts()).isEqualTo(4);
        assertThat(p.count(v.gid(), "a", "confirm")).isEqualTo(1);
    }

    @Test
    void timeoutAbortsAnActiveTransaction() throws Exception {
        TccTransaction tx = client.beginTcc(Duration.ofMillis(50));
        tx.tryBranch("a", p.url("try"), p.url("confirm"), p.url("cancel"), "{}");
        TransactionView done = client.awaitFinal(tx.gid(), Duration.ofSeconds(10));
        assertThat(done.status()).isEqualTo(GlobalStatus.ABORTED);
        assertThat(done.reason()).isEqualTo("timeout");
        assertThat(p.count(tx.gid(), "a", "cancel")).isEqualTo(1);
        assertThatThrownBy(tx::submit).isInstanceOf(ConflictException.class).hasMessageContaining("ABORT");
    }

    @Test
    void beginWithTheSameGidIsIdempotent() {
        TccTransaction a = client.beginTcc("order-42", Duration.ofSeconds(30));
        TccTransaction b = client.beginTcc("order-42", Duration.ofSeconds(30));
        assertThat(a.gid()).isEqualTo(b.gid()).isEqualTo("order-42");
        assertThat(client.get("order-42").status()).isEqualTo(GlobalStatus.ACTIVE);
    }
}
