package dev.pactum.core;

import dev.pactum.api.BranchOp;
import dev.pactum.api.Outcome;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.spi.BranchCall;
import dev.pactum.core.spi.BranchInvoker;
import dev.pactum.core.spi.CallResult;
import dev.pactum.core.testkit.TestBranches;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A round's parallel calls are waited for once, all together (issue 7, item 5), and the answers still come back in
 * the branches' order; a caller interrupted while waiting keeps the answers that came and gets "no answer" for the
 * rest. Waits are bounded; nothing asserts a time.
 */
class PhaseTwoCallsTest {
    private static final Instant T0 = Instant.parse("2030-03-04T05:06:07.089Z");
    private static final Duration BOUND = Duration.ofSeconds(60);

    /** Answers each call when the test says so: the participant's side, held in the test's hands. */
    private static final class HeldAnswers implements BranchInvoker {
        final Map<String, CompletableFuture<CallResult>> byBranch = new ConcurrentHashMap<>();

        @Override
        public CallResult invoke(BranchCall call) {
            throw new AssertionError("a set of calls goes through invokeAsync");
        }

        @Override
        public CompletableFuture<CallResult> invokeAsync(BranchCall call, Executor executor) {
            return byBranch.computeIfAbsent(call.branchId(), b -> new CompletableFuture<>());
        }

        void answer(String branchId, CallResult r) {
            byBranch.computeIfAbsent(branchId, b -> new CompletableFuture<>()).complete(r);
        }
    }

    private static List<BranchRecord> branches(String... ids) {
        return java.util.Arrays.stream(ids).map(id -> TestBranches.tcc("g-1", id, "http://svc/try/" + id,
                "http://svc/confirm/" + id, "http://svc/cancel/" + id, T0)).toList();
    }

    @Test
    void answersArrivingInAnyOrderComeBackInTheBranchesOrder() throws Exception {
        HeldAnswers invoker = new HeldAnswers();
        try (PhaseTwoCalls calls = new PhaseTwoCalls(invoker, new CoordinatorMetrics(new SimpleMeterRegistry()))) {
            AtomicReference<List<CallResult>> results = new AtomicReference<>();
            Thread caller = Thread.ofVirtual().start(() -> results.set(calls.callAll("g-1", BranchOp.CONFIRM,
                    branches("a", "b", "c"), "confirm")));
            invoker.answer("c", new CallResult(Outcome.SUCCESS, 200, null));
            invoker.answer("b", CallResult.noAnswer("no answer from b"));
            invoker.answer("a", new CallResult(Outcome.FAILURE, 409, "HTTP 409"));

            assertThat(caller.join(BOUND)).isTrue();
            assertThat(results.get()).extracting(CallResult::outcome)
                    .containsExactly(Outcome.FAILURE, Outcome.ONGOING, Outcome.SUCCESS);
        }
    }

    @Test
    void anInterruptedCallerKeepsTheAnswersThatCameAndHasNoAnswerForTheRest() throws Exception {
        HeldAnswers invoker = new HeldAnswers();
        try (PhaseTwoCalls calls = new PhaseTwoCalls(invoker, new CoordinatorMetrics(new SimpleMeterRegistry()))) {
            invoker.answer("a", new CallResult(Outcome.SUCCESS, 200, null));
            AtomicReference<List<CallResult>> results = new AtomicReference<>();
            AtomicBoolean stillInterrupted = new AtomicBoolean();
            Thread caller = Thread.ofVirtual().start(() -> {
                results.set(calls.callAll("g-1", BranchOp.CONFIRM, branches("a", "b"), "confirm"));
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            });
            long deadline = System.nanoTime() + BOUND.toNanos();
            while (!invoker.byBranch.containsKey("b") || caller.getState() != Thread.State.WAITING) {
                assertThat(System.nanoTime()).as("waiting for the caller to wait").isLessThan(deadline);
                Thread.sleep(1);
            }
            caller.interrupt();

            assertThat(caller.join(BOUND)).isTrue();
            assertThat(results.get()).extracting(CallResult::outcome).containsExactly(Outcome.SUCCESS, Outcome.ONGOING);
            assertThat(results.get().get(1).detail()).contains("interrupted");
            assertThat(stillInterrupted).isTrue();
        }
    }
}
