package dev.pactum.core.msg;

import dev.pactum.api.BeginRequest;
import dev.pactum.api.BranchOp;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.Operation;
import dev.pactum.api.Outcome;
import dev.pactum.api.SubmitRequest;
import dev.pactum.api.TxPattern;
import dev.pactum.core.CoordinatorConfig;
import dev.pactum.core.CoordinatorMetrics;
import dev.pactum.core.Engine;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.spi.BranchCall;
import dev.pactum.core.spi.CallResult;
import dev.pactum.core.spi.TransactionStore;
import dev.pactum.core.testkit.FakeBranchInvoker;
import dev.pactum.core.testkit.HandOffExecutorService;
import dev.pactum.core.testkit.InMemoryTransactionStore;
import dev.pactum.core.testkit.ManualClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Order per key on the test kit, one thread: messages of one destination and key are delivered in the order their
 * commits were decided, a later one waits while an earlier one is retried, is handed on as soon as the earlier one
 * is delivered, and the order survives a restart of the coordinator. Messages of other keys, and without a key, do
 * not wait.
 */
class MsgOrderTest {
    private static final String DEST = "kafka://broker:9092/orders";

    private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final InMemoryTransactionStore store = new InMemoryTransactionStore();
    /** What the destination answers next for a gid; 200 when nothing is queued. */
    private final Map<String, Deque<Integer>> answers = new HashMap<>();
    /** "gid key" of each delivery the destination took, in order. */
    private final List<String> delivered = new ArrayList<>();
    private final CoordinatorConfig config = CoordinatorConfig.builder().nodeId("n1").build();
    private Engine engine = engine(store);

    private Engine engine(TransactionStore on) {
        return new Engine(on, FakeBranchInvoker.reliable(this::destination), config,
                new CoordinatorMetrics(new SimpleMeterRegistry()), clock, new Engine.Seams(HandOffExecutorService.direct(),
                HandOffExecutorService.direct(), HandOffExecutorService.direct(), n -> 0));
    }

    private CallResult destination(BranchCall c) {
        assertThat(c.op()).isEqualTo(BranchOp.DELIVER);
        Deque<Integer> q = answers.get(c.gid());
        int status = q == null || q.isEmpty() ? 200 : q.poll();
        if (status == 200) {
            delivered.add(c.gid() + " " + c.key());
        }
        return new CallResult(Outcome.fromHttpStatus(status), status, status == 200 ? null : "HTTP " + status);
    }

    /** Begins and commits one message; {@code failures} first deliveries answer 503. */
    private void send(String gid, String key, int failures) {
        Deque<Integer> q = new ArrayDeque<>();
        for (int i = 0; i < failures; i++) {
            q.add(503);
        }
        answers.put(gid, q);
        engine.service().begin(new BeginRequest(gid, TxPattern.MSG, 60_000L, List.of(BranchRequest.of("m1",
                List.of(new Operation("deliver", DEST, "{}", key, null), Operation.of("check", "http://p/check"))))));
        engine.service().submit(gid, new SubmitRequest(List.of("m1")));
    }

    private GlobalStatus status(String gid) {
        return store.find(gid).orElseThrow().status();
    }

    @Test
    void aLaterMessageOfTheSameKeyWaitsWhileTheEarlierIsRetriedAndIsHandedOnWhenItIsDelivered() {
        send("g-a", "order-1", 1);                 // its first delivery fails: due again in 0.1 s
        clock.advance(Duration.ofMillis(50));
        send("g-b", "order-1", 0);                 // decided after g-a: waits, due again in 0.1 s after that
        send("g-c", "order-2", 0);
        send("g-d", null, 0);
        assertThat(delivered).containsExactly("g-c order-2", "g-d null");
        assertThat(status("g-b")).isEqualTo(GlobalStatus.COMMITTING);
        BranchRecord waiting = store.branches("g-b").getFirst();
        assertThat(waiting.lastError()).contains("waiting for message g-a/m1");

        clock.advance(Duration.ofMillis(50));      // g-a is due, g-b not yet
        engine.worker().runOnce();
        assertThat(delivered).containsExactly("g-c order-2", "g-d null", "g-a order-1", "g-b order-1");
        assertThat(status("g-a")).isEqualTo(GlobalStatus.COMMITTED);
        assertThat(status("g-b")).as("handed on at once, not at its own retry").isEqualTo(GlobalStatus.COMMITTED);
    }

    @Test
    void theOrderHoldsThroughManyRetriesAndARestartOfTheCoordinator() {
        send("g-a", "order-1", 4);
        send("g-b", "order-1", 0);
        send("g-c", "order-1", 2);
        for (int i = 0; i < 2; i++) {
            clock.advance(config.retryCap().plusSeconds(1));
            engine.worker().runOnce();
        }
        assertThat(delivered).isEmpty();
        assertThat(store.branches("g-c").getFirst().attempts()).as("waits are counted like attempts").isEqualTo(3);

        engine.close();
        InMemoryTransactionStore restarted = store.reopen();
        engine = engine(restarted);
        restarted.releaseLeases("n1", clock.instant());
        for (int i = 0; i < 6 && delivered.size() < 3; i++) {
            clock.advance(config.retryCap().plusSeconds(1));
            engine.worker().runOnce();
        }
        assertThat(delivered).containsExactly("g-a order-1", "g-b order-1", "g-c order-1");
        for (String gid : List.of("g-a", "g-b", "g-c")) {
            assertThat(restarted.find(gid).orElseThrow().status()).isEqualTo(GlobalStatus.COMMITTED);
        }
    }
}
