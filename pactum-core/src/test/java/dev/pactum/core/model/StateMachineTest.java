package dev.pactum.core.model;

import dev.pactum.core.testkit.TestBranches;
import dev.pactum.api.BranchStatus;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.IllegalTransitionException;
import dev.pactum.api.TxPattern;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;

import static dev.pactum.api.GlobalStatus.ABORTED;
import static dev.pactum.api.GlobalStatus.ABORTING;
import static dev.pactum.api.GlobalStatus.ACTIVE;
import static dev.pactum.api.GlobalStatus.COMMITTED;
import static dev.pactum.api.GlobalStatus.COMMITTING;
import static dev.pactum.api.GlobalStatus.PARKED;
import static dev.pactum.api.GlobalStatus.PREPARING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The transition tables, checked exhaustively: every pair of statuses is either in the table or refused. */
class StateMachineTest {
    private static final Instant T = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void globalTableIsExactlyTheDesignedOne() {
        assertThat(allowed(ACTIVE)).containsExactlyInAnyOrder(ACTIVE, PREPARING, COMMITTING, ABORTING, PARKED);
        assertThat(allowed(PREPARING)).containsExactlyInAnyOrder(PREPARING, COMMITTING, ABORTING);
        assertThat(allowed(COMMITTING)).containsExactlyInAnyOrder(COMMITTING, COMMITTED);
        assertThat(allowed(ABORTING)).containsExactlyInAnyOrder(ABORTING, ABORTED);
        assertThat(allowed(COMMITTED)).isEmpty();
        assertThat(allowed(ABORTED)).isEmpty();
        assertThat(allowed(PARKED)).containsExactlyInAnyOrder(PARKED, COMMITTING, ABORTING);
    }

    @Test
    void parkedIsNeitherFinalNorADecision() {
        assertThat(PARKED.isFinal()).isFalse();
        assertThat(PARKED.isDecision()).isFalse();
        assertThat(COMMITTING.canMoveTo(PARKED)).as("a decision is never parked").isFalse();
        assertThat(PREPARING.canMoveTo(PARKED)).isFalse();
    }

    @Test
    void aDecisionIsNeverReversed() {
        assertThat(COMMITTING.canMoveTo(ABORTING)).isFalse();
        assertThat(ABORTING.canMoveTo(COMMITTING)).isFalse();
        assertThat(COMMITTING.canMoveTo(ABORTED)).isFalse();
        assertThat(ABORTING.canMoveTo(COMMITTED)).isFalse();
        assertThat(EnumSet.allOf(GlobalStatus.class)).filteredOn(GlobalStatus::isDecision)
                .containsExactlyInAnyOrder(COMMITTING, ABORTING);
    }

    @Test
    void branchTableIsExactlyTheDesignedOne() {
        assertThat(allowed(BranchStatus.REGISTERED)).containsExactlyInAnyOrder(BranchStatus.REGISTERED,
                BranchStatus.PREPARED, BranchStatus.CONFIRMED, BranchStatus.CANCELLED);
        assertThat(allowed(BranchStatus.PREPARED)).containsExactlyInAnyOrder(BranchStatus.PREPARED,
                BranchStatus.CONFIRMED, BranchStatus.CANCELLED);
        assertThat(allowed(BranchStatus.CONFIRMED)).isEmpty();
        assertThat(allowed(BranchStatus.CANCELLED)).isEmpty();
    }

    @Test
    void illegalMoveNamesTheTransactionAndItsStatus() {
        GlobalTransaction committed = GlobalTransaction.begin("g-1", TxPattern.TCC, T, T.plusSeconds(60))
                .moveTo(COMMITTING, "submitted", T, "node", T.plusSeconds(30))
                .moveTo(COMMITTED, null, T, null, null);
        assertThatThrownBy(() -> committed.moveTo(ABORTING, "late", T, "node", T.plusSeconds(30)))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("g-1").hasMessageContaining("COMMITTED").hasMessageContaining("ABORTING");
    }

    @Test
    void aDecisionWithoutALeaseIsRefused() {
        GlobalTransaction tx = GlobalTransaction.begin("g-2", TxPattern.XA, T, T.plusSeconds(60));
        assertThatThrownBy(() -> tx.moveTo(PREPARING, "submitted", T, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lease");
    }

    @Test
    void decisionTakesTheLeaseAndFinalStatusClearsIt() {
        GlobalTransaction tx = GlobalTransaction.begin("g-3", TxPattern.TCC, T, T.plusSeconds(60));
        GlobalTransaction decided = tx.moveTo(ABORTING, "timeout", T, "node-a", T.plusSeconds(30));
        assertThat(decided.owner()).isEqualTo("node-a");
        assertThat(decided.nextAttemptAt()).as("a worker looks again when the lease ends").isEqualTo(T.plusSeconds(30));
        GlobalTransaction done = decided.moveTo(ABORTED, null, T.plusSeconds(1), null, null);
        assertThat(done.owner()).isNull();
        assertThat(done.leaseUntil()).isNull();
        assertThat(done.nextAttemptAt()).isNull();
        assertThat(done.reason()).isEqualTo("timeout");
    }

    @Test
    void everyAttemptCountsAndLongErrorsAreCut() {
        BranchRecord b = TestBranches.tcc("g-4", "pay", null, "http://c", "http://x", T);
        BranchRecord failed = b.attempted(BranchStatus.REGISTERED, "x".repeat(5000), T);
        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(failed.lastError()).hasSize(BranchRecord.MAX_ERROR_LENGTH).endsWith("...");
        BranchRecord done = failed.attempted(BranchStatus.CONFIRMED, null, T);
        assertThat(done.attempts()).isEqualTo(2);
        assertThat(done.lastError()).isNull();
        assertThatThrownBy(() -> done.attempted(BranchStatus.CANCELLED, null, T))
                .isInstanceOf(IllegalTransitionException.class).hasMessageContaining("pay");
    }

    private static Set<GlobalStatus> allowed(GlobalStatus from) {
        Set<GlobalStatus> out = EnumSet.noneOf(GlobalStatus.class);
        for (GlobalStatus to : GlobalStatus.values()) {
            if (from.canMoveTo(to)) {
                out.add(to);
            } else {
                assertThatThrownBy(() -> from.checkMoveTo(to, "g")).isInstanceOf(IllegalTransitionException.class);
            }
        }
        return out;
    }

    private static Set<BranchStatus> allowed(BranchStatus from) {
        Set<BranchStatus> out = EnumSet.noneOf(BranchStatus.class);
        for (BranchStatus to : BranchStatus.values()) {
            if (from.canMoveTo(to)) {
                out.add(to);
            }
        }
        return out;
    }
}
