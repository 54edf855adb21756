package dev.pactum.core;

import dev.pactum.api.BranchRequest;
import dev.pactum.api.ConflictException;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.IllegalTransitionException;
import dev.pactum.api.InvalidInputException;
import dev.pactum.api.TxPattern;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.EnumSet;

import static dev.pactum.api.GlobalStatus.ABORTED;
import static dev.pactum.api.GlobalStatus.ABORTING;
import static dev.pactum.api.GlobalStatus.ACTIVE;
import static dev.pactum.api.GlobalStatus.COMMITTED;
import static dev.pactum.api.GlobalStatus.COMMITTING;
import static dev.pactum.api.GlobalStatus.PARKED;
import static dev.pactum.api.GlobalStatus.PREPARING;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each pattern's own table, and the registry that picks a branch's pattern. */
class PatternTablesTest {
    private static final Instant T = Instant.parse("2030-01-01T00:00:00Z");
    private static final Engine ENGINE = TestEngines.withoutStore();

    @Test
    void tccNeverPreparesAndXaNeverCommitsWithoutAVote() {
        StateTable tcc = ENGINE.patterns().of(TxPattern.TCC).table();
        StateTable xa = ENGINE.patterns().of(TxPattern.XA).table();
        assertThat(tcc.successors(ACTIVE)).containsExactlyInAnyOrder(ACTIVE, COMMITTING, ABORTING);
        assertThat(tcc.statuses()).doesNotContain(PREPARING);
        assertThat(xa.successors(ACTIVE)).containsExactlyInAnyOrder(ACTIVE, PREPARING, ABORTING);
        assertThat(xa.successors(PREPARING)).containsExactlyInAnyOrder(PREPARING, COMMITTING, ABORTING);
        assertThatThrownBy(() -> tcc.check("g1", ACTIVE, PREPARING))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("g1").hasMessageContaining("TCC").hasMessageContaining("from ACTIVE to PREPARING");
        assertThatThrownBy(() -> xa.check("g2", ACTIVE, COMMITTING)).isInstanceOf(IllegalTransitionException.class);
    }

    @Test
    void onlyAHalfMessageIsParkedAndItNeverPrepares() {
        StateTable msg = ENGINE.patterns().of(TxPattern.MSG).table();
        assertThat(msg.successors(ACTIVE)).containsExactlyInAnyOrder(ACTIVE, COMMITTING, ABORTING, PARKED);
        assertThat(msg.successors(PARKED)).containsExactlyInAnyOrder(PARKED, COMMITTING, ABORTING);
        assertThat(msg.statuses()).doesNotContain(PREPARING);
        for (Pattern p : ENGINE.patterns().all()) {
            if (p.id() != TxPattern.MSG) {
                assertThat(p.table().statuses()).as("%s", p.id()).doesNotContain(PARKED);
            }
        }
    }

    @Test
    void everyPatternTableIsInsideTheUnionTableAndFinalsAreAbsorbing() {
        for (Pattern p : ENGINE.patterns().all()) {
            for (GlobalStatus from : p.table().statuses()) {
                for (GlobalStatus to : GlobalStatus.values()) {
                    if (p.table().allows(from, to)) {
                        assertThat(from.canMoveTo(to)).as("%s %s -> %s", p.id(), from, to).isTrue();
                    }
                }
                if (from.isFinal()) {
                    assertThat(p.table().successors(from)).as("%s %s", p.id(), from).isEmpty();
                } else {
                    assertThat(p.table().allows(from, from)).as("%s %s -> itself", p.id(), from).isTrue();
                }
            }
            assertThat(p.table().statuses()).contains(ACTIVE, COMMITTED, ABORTED);
        }
    }

    @Test
    void aTableThatLeavesTheUnionTableOrMovesOnFromAFinalStatusIsRefusedWhenBuilt() {
        assertThatThrownBy(() -> StateTable.of(TxPattern.TCC).allow(COMMITTING, ABORTING))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("COMMITTING -> ABORTING");
        assertThatThrownBy(() -> StateTable.of(TxPattern.TCC).allow(COMMITTING, COMMITTED).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("starts ACTIVE");
        assertThat(EnumSet.copyOf(StateTable.of(TxPattern.TCC).allow(ACTIVE, ABORTING).allow(ABORTING, ABORTED).build()
                .statuses())).containsExactlyInAnyOrder(ACTIVE, ABORTING, ABORTED);
    }

    @Test
    void aBranchOfTheOtherPatternIsAConflictAndAStrayFieldIsBadInput() {
        GlobalTransaction tcc = GlobalTransaction.begin("g-tcc", TxPattern.TCC, T, T.plusSeconds(60));
        GlobalTransaction xa = GlobalTransaction.begin("g-xa", TxPattern.XA, T, T.plusSeconds(60));
        BranchRequest tccBranch = BranchRequest.tcc("b", null, "http://p/confirm", "http://p/cancel");
        BranchRequest xaBranch = BranchRequest.xa("b", "http://p/prepare", "http://p/commit", "http://p/rollback");
        PatternRegistry r = ENGINE.patterns();

        BranchRecord b = r.acceptBranch(tcc, tccBranch, T);
        assertThat(b.target("confirm")).isEqualTo("http://p/confirm");
        assertThat(r.acceptBranch(xa, xaBranch, T).target("prepare")).isEqualTo("http://p/prepare");

        assertThatThrownBy(() -> r.acceptBranch(tcc, xaBranch, T)).isInstanceOf(ConflictException.class)
                .hasMessageContaining("g-tcc is TCC; a XA branch cannot join it");
        assertThatThrownBy(() -> r.acceptBranch(xa, tccBranch, T)).isInstanceOf(ConflictException.class);
        BranchRequest mixed = new BranchRequest("b", null, "http://p/confirm", "http://p/cancel", "http://p/prepare",
                null, null, null);
        assertThatThrownBy(() -> r.acceptBranch(tcc, mixed, T)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("prepareUrl");
    }
}
