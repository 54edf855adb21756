package dev.pactum.server;

import dev.pactum.api.BranchStatus;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.Operation;
import dev.pactum.api.TransactionView;
import dev.pactum.api.TxPattern;
import dev.pactum.client.PactumClient;
import dev.pactum.core.CoordinatorConfig;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.store.embedded.EmbeddedStoreConfig;
import dev.pactum.store.embedded.EmbeddedTransactionStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regression, end to end through {@link Coordinator#start}: a coordinator killed right after it stored a decision,
 * and restarted with the same node id, left that transaction alone for a whole lease (30 s by default), because a
 * decision is stored with its next attempt at the end of the deciding node's lease (seen in
 * {@link CoordinatorKillTest}; fixed by {@code TransactionStore#releaseLeases} at start). The node that owns the
 * lease must take the work back at once; any other node must still wait for the lease to run out.
 */
class RestartTakesBackOwnLeasesTest {
    /** Long enough that "waited for the lease" and "took it back at once" cannot be confused. */
    private static final Duration LEASE = Duration.ofDays(1);

    @TempDir
    Path dir;
    CountingParticipant participant;

    @BeforeEach
    void leaveBehindAFreshDecision() throws Exception {
        participant = new CountingParticipant();
        // What node-a leaves behind when SIGKILL hits just after a submit: COMMITTING, leased to itself, next
        // attempt at the lease's end, no branch confirmed yet.
        Instant now = Instant.now();
        try (EmbeddedTransactionStore store = EmbeddedTransactionStore.open(EmbeddedStoreConfig.durable(dir))) {
            store.begin(GlobalTransaction.begin("g1", TxPattern.TCC, now, now.plus(Duration.ofHours(1))));
            store.addBranch(BranchRecord.register("g1", "a", List.of(Operation.of("try", participant.url("try")),
                    Operation.of("confirm", participant.url("confirm")), Operation.of("cancel", participant.url("cancel"))),
                    now), GlobalStatus.ACTIVE);
            GlobalTransaction active = store.find("g1").orElseThrow();
            assertThat(store.compareAndSet(active, active.moveTo(GlobalStatus.COMMITTING, "submitted", now, "node-a",
                    now.plus(LEASE)))).isPresent();
        }
    }

    @AfterEach
    void stop() {
        participant.close();
    }

    private Coordinator start(String nodeId) throws Exception {
        CoordinatorConfig cc = CoordinatorConfig.builder().nodeId(nodeId).lease(LEASE)
                .retryBase(Duration.ofMillis(20)).retryCap(Duration.ofMillis(200))
                .workerInterval(Duration.ofMillis(20)).build();
        return Coordinator.start(new ServerConfig("127.0.0.1", 0, dir, null, null, null, 64 * 1024,
                Duration.ofSeconds(5), cc), Clock.systemUTC());
    }

    @Test
    void theRestartedOwnerFinishesItsDecisionWithoutWaitingForTheLease() throws Exception {
        try (Coordinator c = start("node-a");
             PactumClient client = PactumClient.connect(URI.create("http://127.0.0.1:" + c.port()))) {
            TransactionView v = client.awaitFinal("g1", Duration.ofSeconds(30));
            assertThat(v.status()).as("status of g1 (lease ends %s)", v.nextAttemptAt()).isEqualTo(GlobalStatus.COMMITTED);
            assertThat(v.branches()).extracting(b -> b.status()).containsExactly(BranchStatus.CONFIRMED);
            assertThat(participant.count("g1", "a", "confirm")).isEqualTo(1);
        }
    }

    @Test
    void anotherNodeLeavesTheLeaseAlone() throws Exception {
        try (Coordinator c = start("node-b")) {
            // One more pass of the worker by hand: deterministic, no sleeping. node-a's lease keeps it away.
            assertThat(c.worker().runOnce()).isZero();
            assertThat(c.service().get("g1").status()).isEqualTo(GlobalStatus.COMMITTING);
            assertThat(participant.count("g1", "a", "confirm")).isZero();
        }
    }
}
