package dev.pactum.core.testkit;

import dev.pactum.api.BranchOp;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.BeginRequest;
import dev.pactum.api.BranchStatus;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.SubmitRequest;
import dev.pactum.api.TxPattern;
import dev.pactum.core.CoordinatorConfig;
import dev.pactum.core.CoordinatorMetrics;
import dev.pactum.core.CoordinatorService;
import dev.pactum.core.Engine;
import dev.pactum.core.recovery.RecoveryWorker;
import dev.pactum.core.testkit.FakeBranchInvoker.Fate;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The core wired with the kit, on one thread: how a test of a processor is written. A lost Confirm answer is
 * retried by the recovery worker after the backoff, and the participant sees the Confirm twice.
 */
class KitUsageTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final InMemoryTransactionStore store = new InMemoryTransactionStore();
    private final List<String> participantLog = new ArrayList<>();
    private final FakeBranchInvoker invoker = FakeBranchInvoker.scripted(c -> {
        participantLog.add(c.op().wire() + " " + c.branchId());
        return FakeBranchInvoker.ALWAYS_OK.handle(c);
    }).then("pay", BranchOp.CONFIRM, Fate.LOST_ANSWER).build();

    @Test
    void aLostConfirmAnswerIsRetriedUntilAcknowledged() {
        CoordinatorConfig cc = CoordinatorConfig.builder().nodeId("n1").build();
        CoordinatorMetrics metrics = new CoordinatorMetrics(new SimpleMeterRegistry());
        Engine engine = new Engine(store, invoker, cc, metrics, clock, new Engine.Seams(HandOffExecutorService.direct(),
                HandOffExecutorService.direct(), HandOffExecutorService.direct(), n -> 0));
        RecoveryWorker worker = engine.worker();
        CoordinatorService service = engine.service();

        service.begin(new BeginRequest("g-1", TxPattern.TCC, 30_000L));
        service.registerBranch("g-1", BranchRequest.tcc("pay", null, "http://pay/confirm", "http://pay/cancel"));
        // The direct executor runs the first phase-2 round inside submit; its answer is lost.
        assertThat(service.submit("g-1", new SubmitRequest(List.of("pay"))).status()).isEqualTo(GlobalStatus.COMMITTING);
        assertThat(store.branches("g-1").getFirst().status()).isEqualTo(BranchStatus.REGISTERED);

        assertThat(worker.runOnce()).as("not due before the backoff").isZero();
        clock.advance(Duration.ofMillis(cc.retryBase().toMillis()));
        assertThat(worker.runOnce()).isEqualTo(1);

        assertThat(store.find("g-1").orElseThrow().status()).isEqualTo(GlobalStatus.COMMITTED);
        assertThat(participantLog).containsExactly("confirm pay", "confirm pay");
        assertThat(invoker.calls()).extracting(FakeBranchInvoker.Recorded::fate)
                .containsExactly(Fate.LOST_ANSWER, Fate.DELIVER);
    }
}
