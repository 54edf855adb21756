package dev.pactum.core.xa;

import dev.pactum.api.BeginRequest;
import dev.pactum.api.BranchOp;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.BranchStatus;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.SubmitRequest;
import dev.pactum.api.TransactionView;
import dev.pactum.api.TxPattern;
import dev.pactum.core.CoordinatorConfig;
import dev.pactum.core.CoordinatorMetrics;
import dev.pactum.core.CoordinatorService;
import dev.pactum.core.Engine;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.testkit.FakeBranchInvoker;
import dev.pactum.core.testkit.HandOffExecutorService;
import dev.pactum.core.testkit.InMemoryTransactionStore;
import dev.pactum.core.testkit.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * XA records its votes with the decision in one store call. Every yes: PREPARED and COMMITTING together. A branch
 * that another writer changed while it was voting makes that call lose: the transaction is then aborted, as a vote
 * recorded one by one would have done, and not left PREPARING.
 */
class XaVoteRecordTest {
    private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final InMemoryTransactionStore store = new InMemoryTransactionStore();

    private CoordinatorService service(FakeBranchInvoker invoker) {
        Engine engine = new Engine(store, invoker, CoordinatorConfig.builder().nodeId("n1").build(),
                new CoordinatorMetrics(new SimpleMeterRegistry()), clock, new Engine.Seams(HandOffExecutorService.direct(),
                HandOffExecutorService.direct(), HandOffExecutorService.direct(), n -> 0));
        return engine.service();
    }

    private static List<BranchRequest> branches() {
        return List.of(BranchRequest.xa("pay", "http://pay/prepare", "http://pay/commit", "http://pay/rollback"),
                BranchRequest.xa("ship", "http://ship/prepare", "http://ship/commit", "http://ship/rollback"));
    }

    @Test
    void everyYesIsRecordedWithTheCommitDecision() {
        CoordinatorService service = service(FakeBranchInvoker.scripted(FakeBranchInvoker.ALWAYS_OK).build());
        service.begin(new BeginRequest("x-1", TxPattern.XA, 30_000L, branches()));

        TransactionView v = service.submit("x-1", new SubmitRequest(List.of("pay", "ship")));

        assertThat(v.status()).isIn(GlobalStatus.COMMITTING, GlobalStatus.COMMITTED);
        assertThat(store.find("x-1").orElseThrow().status()).isEqualTo(GlobalStatus.COMMITTED);
        assertThat(store.branches("x-1")).extracting(BranchRecord::status).containsOnly(BranchStatus.CONFIRMED);
    }

    @Test
    void aBranchChangedWhileItWasVotingAbortsTheTransaction() {
        // While "ship" is asked to prepare, another writer records an attempt on "pay" (a node that took over).
        FakeBranchInvoker invoker = FakeBranchInvoker.scripted(c -> {
            if (c.op() == BranchOp.PREPARE && c.branchId().equals("ship")) {
                BranchRecord pay = store.branches(c.gid()).getFirst();
                store.updateBranch(pay, pay.attempted(BranchStatus.REGISTERED, "elsewhere", clock.instant()));
            }
            return FakeBranchInvoker.ALWAYS_OK.handle(c);
        }).build();
        CoordinatorService service = service(invoker);
        service.begin(new BeginRequest("x-2", TxPattern.XA, 30_000L, branches()));

        TransactionView v = service.submit("x-2", new SubmitRequest(List.of("pay", "ship")));

        assertThat(v.status()).isIn(GlobalStatus.ABORTING, GlobalStatus.ABORTED);
        assertThat(v.reason()).contains("changed while it was voting");
        assertThat(store.find("x-2").orElseThrow().status()).isEqualTo(GlobalStatus.ABORTED);
        assertThat(store.branches("x-2")).extracting(BranchRecord::status).containsOnly(BranchStatus.CANCELLED);
    }
}
