package dev.pactum.core.model;

import dev.pactum.core.testkit.TestBranches;
import dev.pactum.api.BranchStatus;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.IllegalTransitionException;
import dev.pactum.api.TxPattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Properties of the state tables and of the one method that changes each record, over random sequences of moves
 * (jqwik). {@code StateMachineTest} pins the tables pair by pair; these say what every walk through them keeps.
 */
class StateTablePropertiesTest {
    private static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    /** A walk of the global table: legal moves succeed, illegal ones throw and change nothing. */
    @Property
    void globalMovesFollowTheTableAndIllegalOnesChangeNothing(@ForAll @Size(max = 30) List<GlobalStatus> moves) {
        GlobalStatus current = GlobalStatus.ACTIVE;
        GlobalStatus decision = null;
        for (GlobalStatus target : moves) {
            GlobalStatus before = current;
            if (before.canMoveTo(target)) {
                current = before.checkMoveTo(target, "g");
            } else {
                assertThatThrownBy(() -> before.checkMoveTo(target, "g"))
                        .isInstanceOf(IllegalTransitionException.class)
                        .hasMessageContaining(before.name()).hasMessageContaining(target.name())
                        .satisfies(e -> assertThat(((IllegalTransitionException) e).status()).isEqualTo(before.name()));
            }
            if (current.isDecision()) {
                if (decision != null) {
                    assertThat(current).as("a decision is never reversed").isEqualTo(decision);
                }
                decision = current;
            }
            if (before.isFinal()) {
                assertThat(current).as("final statuses are absorbing").isEqualTo(before);
            }
            if (current.isFinal()) {
                assertThat(decision).as("a final status is reached only through its decision")
                        .isEqualTo(current == GlobalStatus.COMMITTED ? GlobalStatus.COMMITTING : GlobalStatus.ABORTING);
            }
        }
    }

    @Property
    void aDecisionLeadsOnlyToItselfOrItsMatchingFinal(@ForAll("decisions") GlobalStatus decision,
                                                      @ForAll GlobalStatus target) {
        GlobalStatus matching = decision == GlobalStatus.COMMITTING ? GlobalStatus.COMMITTED : GlobalStatus.ABORTED;
        assertThat(decision.canMoveTo(target)).isEqualTo(target == decision || target == matching);
    }

    /** PARKED waits for a person: it leads only to itself or to a decision, and nothing decided is ever parked. */
    @Property
    void parkedLeadsOnlyToADecisionAndNoDecisionIsParked(@ForAll GlobalStatus target, @ForAll GlobalStatus from) {
        assertThat(GlobalStatus.PARKED.canMoveTo(target))
                .isEqualTo(target == GlobalStatus.PARKED || target.isDecision());
        if (from.canMoveTo(GlobalStatus.PARKED)) {
            assertThat(from).isIn(GlobalStatus.ACTIVE, GlobalStatus.PARKED);
        }
    }

    @Property
    void finalStatusesAreAbsorbing(@ForAll GlobalStatus status, @ForAll GlobalStatus target,
                                   @ForAll BranchStatus branch, @ForAll BranchStatus branchTarget) {
        if (status.isFinal()) {
            assertThat(status.canMoveTo(target)).isFalse();
        }
        if (branch.isFinal()) {
            assertThat(branch.canMoveTo(branchTarget)).isFalse();
        }
    }

    /** A walk of the branch table: legal moves succeed, illegal ones throw; once final it never moves again. */
    @Property
    void branchMovesFollowTheTableAndIllegalOnesChangeNothing(@ForAll @Size(max = 30) List<BranchStatus> moves) {
        BranchStatus current = BranchStatus.REGISTERED;
        for (BranchStatus target : moves) {
            BranchStatus before = current;
            if (before.canMoveTo(target)) {
                current = before.checkMoveTo(target, "g", "b");
            } else {
                assertThatThrownBy(() -> before.checkMoveTo(target, "g", "b"))
                        .isInstanceOf(IllegalTransitionException.class).hasMessageContaining("branch b of g");
            }
            if (before.isFinal()) {
                assertThat(current).isEqualTo(before);
            }
            if (current == BranchStatus.REGISTERED) {
                assertThat(before).as("nothing goes back to REGISTERED").isEqualTo(BranchStatus.REGISTERED);
            }
        }
    }

    /**
     * {@link GlobalTransaction#moveTo}, {@code rescheduled} and {@code leasedTo} over random walks (docs/core.md,
     * "One way to change each record"): an illegal move throws and leaves the record as it was (records are
     * immutable, so "changes nothing" means the caller keeps an equal value); no method sets the version (the store
     * does); a non-final status always has a schedule and a final one none; a decision takes a lease for its node.
     */
    @Property
    void globalTransactionMethodsKeepTheScheduleAndLeaseRules(@ForAll("steps") List<Step> steps) {
        GlobalTransaction tx = GlobalTransaction.begin("g", TxPattern.TCC, T0, T0.plusSeconds(60));
        assertThat(tx.nextAttemptAt()).isEqualTo(tx.timeoutAt());
        Instant now = T0;
        for (Step step : steps) {
            now = now.plusMillis(step.millis());
            GlobalTransaction before = tx;
            GlobalTransaction after;
            try {
                after = switch (step.kind()) {
                    case MOVE -> before.moveTo(step.target(), step.why(), now, "node-a", now.plusSeconds(30));
                    case RESCHEDULE -> before.rescheduled(now.plusMillis(step.millis() + 1), now);
                    case LEASE -> before.leasedTo("node-b", now.plusSeconds(5), now);
                };
            } catch (IllegalTransitionException e) {
                assertThat(step.kind() == Kind.MOVE ? before.status().canMoveTo(step.target())
                        : before.status().canMoveTo(before.status())).isFalse();
                assertThat(tx).isEqualTo(before);
                continue;
            }
            assertThat(after.version()).as("only a store sets the version").isEqualTo(before.version());
            assertThat(after.gid()).isEqualTo(before.gid());
            assertThat(after.createdAt()).isEqualTo(before.createdAt());
            assertThat(after.timeoutAt()).isEqualTo(before.timeoutAt());
            assertThat(after.updatedAt()).isEqualTo(now);
            if (after.status().isFinal()) {
                assertThat(after.nextAttemptAt()).isNull();
                assertThat(after.owner()).isNull();
                assertThat(after.leaseUntil()).isNull();
            } else {
                assertThat(after.nextAttemptAt()).as("an unfinished transaction is always scheduled").isNotNull();
            }
            switch (step.kind()) {
                case MOVE -> {
                    assertThat(after.status()).isEqualTo(step.target());
                    assertThat(after.reason()).isEqualTo(step.why() == null ? before.reason() : step.why());
                    if (!after.status().isFinal()) {
                        assertThat(after.owner()).isEqualTo("node-a");
                        assertThat(after.nextAttemptAt()).isEqualTo(after.leaseUntil());
                        assertThat(after.isLeasedAt(now)).isTrue();
                    }
                }
                case RESCHEDULE -> {
                    assertThat(after.status()).isEqualTo(before.status());
                    assertThat(after.owner()).isNull();
                    assertThat(after.isLeasedAt(now)).isFalse();
                    assertThat(after.nextAttemptAt()).isEqualTo(now.plusMillis(step.millis() + 1));
                }
                case LEASE -> {
                    assertThat(after.status()).isEqualTo(before.status());
                    assertThat(after.nextAttemptAt()).isEqualTo(before.nextAttemptAt());
                    assertThat(after.owner()).isEqualTo("node-b");
                    assertThat(after.isLeasedAt(now)).isTrue();
                    assertThat(after.isLeasedAt(now.plusSeconds(5))).as("a lease has expired at leaseUntil").isFalse();
                }
            }
            // The store bumps the version by one on every stored change.
            tx = after.withVersion(before.version() + 1);
        }
    }

    @Property
    void aNonFinalMoveWithoutALeaseIsRefused(@ForAll GlobalStatus target) {
        GlobalTransaction tx = GlobalTransaction.begin("g", TxPattern.XA, T0, T0.plusSeconds(1));
        if (!target.isFinal() && GlobalStatus.ACTIVE.canMoveTo(target)) {
            assertThatThrownBy(() -> tx.moveTo(target, "x", T0, null, T0.plusSeconds(1)))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> tx.moveTo(target, "x", T0, "node-a", null))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    /**
     * {@link BranchRecord#attempted} over random walks: the attempt count grows by one on every attempt, legal or
     * not refused, so it serves as the branch's version; an illegal move throws; a long error is cut to the limit.
     */
    @Property
    void branchAttemptsCountEveryAttemptAndIllegalMovesThrow(@ForAll @Size(max = 20) List<BranchStatus> targets,
                                                             @ForAll @IntRange(max = 3000) int errorLength) {
        BranchRecord b = TestBranches.tcc("g", "b", null, "http://c", "http://x", T0);
        String error = "e".repeat(errorLength);
        Instant now = T0;
        for (BranchStatus target : targets) {
            now = now.plus(Duration.ofMillis(1));
            BranchRecord before = b;
            if (!before.status().canMoveTo(target)) {
                Instant at = now;
                assertThatThrownBy(() -> before.attempted(target, error, at)).isInstanceOf(IllegalTransitionException.class);
                continue;
            }
            b = before.attempted(target, error, now);
            assertThat(b.attempts()).isEqualTo(before.attempts() + 1);
            assertThat(b.status()).isEqualTo(target);
            assertThat(b.updatedAt()).isEqualTo(now);
            assertThat(b.createdAt()).isEqualTo(before.createdAt());
            assertThat(b.operations()).isEqualTo(before.operations());
            assertThat(b.lastError()).hasSizeLessThanOrEqualTo(BranchRecord.MAX_ERROR_LENGTH);
            if (errorLength <= BranchRecord.MAX_ERROR_LENGTH) {
                assertThat(b.lastError()).isEqualTo(error);
            } else {
                assertThat(b.lastError()).endsWith("...");
            }
        }
    }

    enum Kind { MOVE, RESCHEDULE, LEASE }

    record Step(Kind kind, GlobalStatus target, String why, int millis) {
    }

    @Provide
    Arbitrary<GlobalStatus> decisions() {
        return Arbitraries.of(GlobalStatus.COMMITTING, GlobalStatus.ABORTING);
    }

    @Provide
    Arbitrary<List<Step>> steps() {
        Arbitrary<Step> step = Combinators.combine(Arbitraries.of(Kind.class),
                        Arbitraries.of(GlobalStatus.class), Arbitraries.of("submitted", "timeout").injectNull(0.5),
                        Arbitraries.integers().between(0, 10_000))
                .as(Step::new);
        return step.list().ofMaxSize(25);
    }
}
