package dev.pactum.core.msg;

import dev.pactum.api.AbortRequest;
import dev.pactum.api.BeginRequest;
import dev.pactum.api.BranchOp;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.ConflictException;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.InvalidInputException;
import dev.pactum.api.Operation;
import dev.pactum.api.Outcome;
import dev.pactum.api.ResolveRequest;
import dev.pactum.api.SubmitRequest;
import dev.pactum.api.TxPattern;
import dev.pactum.core.CoordinatorConfig;
import dev.pactum.core.CoordinatorMetrics;
import dev.pactum.core.CoordinatorService;
import dev.pactum.core.Engine;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.spi.BranchCall;
import dev.pactum.core.spi.CallResult;
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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The half-message pattern on the test kit, on one thread: the producer's commit and rollback, the check-back and
 * its three answers, parking after the last check and the operator's resolve, and deliveries retried until the
 * destination confirms.
 */
class MsgPatternTest {
    private static final String DEST = "kafka://broker:9092/orders";
    private static final String CHECK = "http://producer/check";

    private final ManualClock clock = new ManualClock(Instant.parse("2030-01-01T00:00:00Z"));
    private final InMemoryTransactionStore store = new InMemoryTransactionStore();
    /** What the producer's check endpoint answers next (HTTP status); 503 when nothing is queued. */
    private final Deque<Integer> checkAnswers = new ArrayDeque<>();
    /** What the destination answers next; 200 when nothing is queued. */
    private final Deque<Integer> deliverAnswers = new ArrayDeque<>();
    private final List<String> delivered = new ArrayList<>();
    private final List<String> checks = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CoordinatorConfig config = CoordinatorConfig.builder().nodeId("n1").maxChecks(3).build();
    private final Engine engine = new Engine(store, FakeBranchInvoker.reliable(this::participant), config,
            new CoordinatorMetrics(registry), clock, new Engine.Seams(HandOffExecutorService.direct(),
            HandOffExecutorService.direct(), HandOffExecutorService.direct(), n -> 0));
    private final CoordinatorService service = engine.service();

    private CallResult participant(BranchCall c) {
        int status;
        if (c.op() == BranchOp.CHECK) {
            checks.add(c.url());
            status = checkAnswers.isEmpty() ? 503 : checkAnswers.poll();
        } else {
            assertThat(c.op()).isEqualTo(BranchOp.DELIVER);
            status = deliverAnswers.isEmpty() ? 200 : deliverAnswers.poll();
            if (status == 200) {
                delivered.add(c.branchId() + " -> " + c.url() + ": " + c.payload());
            }
        }
        return new CallResult(Outcome.fromHttpStatus(status), status, status == 200 ? null : "HTTP " + status);
    }

    private static BranchRequest message(String id, String body) {
        return BranchRequest.of(id, List.of(new Operation("deliver", DEST, body), Operation.of("check", CHECK)));
    }

    private void prepare(String gid) {
        service.begin(new BeginRequest(gid, TxPattern.MSG, 5_000L, List.of(message("m1", "{\"order\":1}"))));
    }

    private GlobalTransaction tx(String gid) {
        return store.find(gid).orElseThrow();
    }

    /** Moves past the largest backoff and lets the recovery worker run once. */
    private void nextCheck() {
        clock.advance(config.retryCap().plusSeconds(1));
        engine.worker().runOnce();
    }

    private double parkedMetric() {
        return registry.get("pactum.messages.parked").tag("pattern", "MSG").counter().count();
    }

    @Test
    void aCommittedMessageIsDeliveredOnceAndNeverCheckedBack() {
        prepare("g-1");
        assertThat(tx("g-1").status()).isEqualTo(GlobalStatus.ACTIVE);
        assertThat(delivered).as("a half message is invisible").isEmpty();

        service.submit("g-1", new SubmitRequest(List.of("m1")));

        assertThat(tx("g-1").status()).isEqualTo(GlobalStatus.COMMITTED);
        assertThat(delivered).containsExactly("m1 -> " + DEST + ": {\"order\":1}");
        nextCheck();
        assertThat(delivered).hasSize(1);
        assertThat(checks).isEmpty();
    }

    @Test
    void aRolledBackMessageIsDroppedWithARecordAndNobodyIsCalled() {
        prepare("g-2");
        service.abort("g-2", new AbortRequest("local transaction rolled back"));

        GlobalTransaction t = tx("g-2");
        assertThat(t.status()).isEqualTo(GlobalStatus.ABORTED);
        assertThat(t.reason()).isEqualTo("local transaction rolled back");
        assertThat(store.branches("g-2")).hasSize(1);
        nextCheck();
        assertThat(delivered).isEmpty();
        assertThat(checks).isEmpty();
    }

    @Test
    void checkBackSaysCommittedAndTheMessageIsDelivered() {
        prepare("g-3");
        checkAnswers.add(200);
        engine.worker().runOnce();
        assertThat(checks).as("not due before the check timeout").isEmpty();

        clock.advance(Duration.ofSeconds(5));
        engine.worker().runOnce();

        assertThat(checks).containsExactly(CHECK);
        assertThat(tx("g-3").status()).isEqualTo(GlobalStatus.COMMITTED);
        assertThat(tx("g-3").reason()).contains("check-back").contains("committed");
        assertThat(delivered).hasSize(1);
    }

    @Test
    void checkBackSaysRolledBackAndNothingIsDelivered() {
        prepare("g-4");
        checkAnswers.add(409);
        clock.advance(Duration.ofSeconds(5));
        engine.worker().runOnce();

        assertThat(tx("g-4").status()).isEqualTo(GlobalStatus.ABORTED);
        assertThat(tx("g-4").reason()).contains("rolled back");
        assertThat(delivered).isEmpty();
    }

    @Test
    void unknownAnswersAreAskedAgainWithBackoffThenCommitted() {
        prepare("g-5");
        checkAnswers.addAll(List.of(503, 425, 200));
        clock.advance(Duration.ofSeconds(5));
        engine.worker().runOnce();
        GlobalTransaction afterFirst = tx("g-5");
        assertThat(afterFirst.status()).isEqualTo(GlobalStatus.ACTIVE);
        assertThat(afterFirst.nextAttemptAt()).as("the next check waits for the backoff").isAfter(clock.instant());
        assertThat(store.branches("g-5").getFirst().attempts()).isEqualTo(1);
        assertThat(store.branches("g-5").getFirst().lastError()).contains("check-back").contains("503");

        nextCheck();
        nextCheck();

        assertThat(checks).hasSize(3);
        assertThat(tx("g-5").status()).isEqualTo(GlobalStatus.COMMITTED);
        assertThat(delivered).hasSize(1);
    }

    @Test
    void exhaustedChecksParkTheMessageVisiblyAndCountedThenAnOperatorCommitsIt() {
        prepare("g-6");
        clock.advance(Duration.ofSeconds(5));
        engine.worker().runOnce();
        nextCheck();
        nextCheck();

        GlobalTransaction parked = tx("g-6");
        assertThat(parked.status()).isEqualTo(GlobalStatus.PARKED);
        assertThat(parked.reason()).contains("parked after 3 check-backs");
        assertThat(parked.nextAttemptAt()).as("nothing automatic happens to a parked message").isNull();
        assertThat(parkedMetric()).isEqualTo(1.0);
        nextCheck();
        assertThat(checks).as("no check after the last one").hasSize(3);
        assertThat(delivered).isEmpty();

        assertThat(service.resolve("g-6", new ResolveRequest("commit", "producer's DB shows order 1")).status())
                .isIn(GlobalStatus.COMMITTING, GlobalStatus.COMMITTED);
        assertThat(tx("g-6").status()).isEqualTo(GlobalStatus.COMMITTED);
        assertThat(tx("g-6").reason()).isEqualTo("resolved by an operator: commit (producer's DB shows order 1)");
        assertThat(delivered).hasSize(1);
    }

    @Test
    void anOperatorAbortsAParkedMessageAndNothingIsDelivered() {
        park("g-7");
        service.resolve("g-7", new ResolveRequest("abort"));
        assertThat(tx("g-7").status()).isEqualTo(GlobalStatus.ABORTED);
        assertThat(delivered).isEmpty();
    }

    @Test
    void theProducersLateCommitOfAParkedMessageStillDeliversIt() {
        park("g-8");
        service.submit("g-8", new SubmitRequest(List.of("m1")));
        assertThat(tx("g-8").status()).isEqualTo(GlobalStatus.COMMITTED);
        assertThat(delivered).hasSize(1);
    }

    @Test
    void aCommitAfterTheCheckTimeoutCommitsInsteadOfAborting() {
        prepare("g-9");
        clock.advance(Duration.ofSeconds(6)); // past the check timeout, before any worker ran
        service.submit("g-9", new SubmitRequest(List.of("m1")));
        assertThat(tx("g-9").status()).isEqualTo(GlobalStatus.COMMITTED);
        assertThat(delivered).hasSize(1);
    }

    @Test
    void resolveRefusesAnythingNotParkedAndBadDecisionsChangingNothing() {
        prepare("g-10");
        GlobalTransaction before = tx("g-10");
        assertThatThrownBy(() -> service.resolve("g-10", new ResolveRequest("commit")))
                .isInstanceOf(ConflictException.class).hasMessageContaining("it is ACTIVE, not PARKED");
        assertThat(tx("g-10")).isEqualTo(before);
        park("g-11");
        GlobalTransaction parked = tx("g-11");
        assertThatThrownBy(() -> service.resolve("g-11", new ResolveRequest("maybe")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("\"commit\" or \"abort\"")
                .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("decision"));
        assertThatThrownBy(() -> service.resolve("g-11", new ResolveRequest(null)))
                .isInstanceOf(InvalidInputException.class);
        assertThat(tx("g-11")).isEqualTo(parked);
    }

    @Test
    void deliveriesThatFailAreRetriedUntilTheDestinationConfirms() {
        prepare("g-12");
        deliverAnswers.addAll(List.of(503, 0, 409));
        service.submit("g-12", new SubmitRequest(List.of("m1")));
        assertThat(tx("g-12").status()).isEqualTo(GlobalStatus.COMMITTING);
        nextCheck();
        nextCheck();
        assertThat(delivered).isEmpty();
        nextCheck();
        assertThat(tx("g-12").status()).isEqualTo(GlobalStatus.COMMITTED);
        assertThat(delivered).hasSize(1);
        assertThat(store.branches("g-12").getFirst().attempts()).isEqualTo(4);
    }

    @Test
    void aMessageBranchIsCheckedBeforeAnythingIsStored() {
        assertThatThrownBy(() -> service.begin(new BeginRequest("g-13", TxPattern.MSG, 5_000L,
                List.of(BranchRequest.of("m1", List.of(new Operation("deliver", DEST, "x")))))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("'check'");
        assertThatThrownBy(() -> service.begin(new BeginRequest("g-13", TxPattern.MSG, 5_000L,
                List.of(BranchRequest.of("m1", List.of(Operation.of("deliver", "kafka://user:secret@b/t"),
                        Operation.of("check", CHECK)))))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("user information")
                .hasMessageNotContaining("secret")
                .satisfies(e -> assertThat(((InvalidInputException) e).field())
                        .isEqualTo("branches[0].operations[0].target"));
        assertThatThrownBy(() -> service.begin(new BeginRequest("g-13", TxPattern.MSG, 5_000L,
                List.of(BranchRequest.of("m1", List.of(Operation.of("deliver", DEST),
                        Operation.of("check", "kafka://b/t")))))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("http or https");
        assertThatThrownBy(() -> service.begin(new BeginRequest("g-13", TxPattern.MSG, 5_000L,
                List.of(BranchRequest.tcc("m1", null, "http://p/c", "http://p/x")))))
                // nothing is stored yet, so a branch of another pattern is bad input, not a conflict
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("a TCC branch cannot join")
                .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("branches[0]"));
        assertThat(store.find("g-13")).isEmpty();
    }

    private void park(String gid) {
        prepare(gid);
        clock.advance(Duration.ofSeconds(5));
        engine.worker().runOnce();
        nextCheck();
        nextCheck();
        assertThat(tx(gid).status()).isEqualTo(GlobalStatus.PARKED);
    }
}
