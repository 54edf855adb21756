package dev.pactum.client.xa;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The participant's answers to failures that real databases will not produce on demand (an in-memory fake). */
class XaFailureTest {
    final FakeXaDataSource fake = new FakeXaDataSource();
    final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    final XaParticipant xa = XaParticipant.builder(fake).statusSource(gid -> {
        throw new IllegalStateException("no coordinator here");
    }).clock(clock).build();

    @AfterEach
    void close() {
        xa.close();
    }

    @Test
    void readOnlyVoteIsAYesAndPhaseTwoIsANoOp() {
        fake.prepareAnswer = (xid, p) -> XAResource.XA_RDONLY;
        assertThat(xa.work("g1", "b", conn -> { })).isEqualTo(XaResult.APPLIED);
        XaResult vote = xa.prepare("g1", "b");
        assertThat(vote).isEqualTo(XaResult.READ_ONLY);
        assertThat(vote.httpStatus()).isEqualTo(200);
        assertThat(xa.inFlight()).isZero();
        assertThat(xa.prepare("g1", "b")).isEqualTo(XaResult.READ_ONLY);
        assertThat(xa.commit("g1", "b")).isEqualTo(XaResult.DUPLICATE);
        assertThat(xa.rollback("g1", "b")).isEqualTo(XaResult.DUPLICATE);
        assertThat(xa.work("g1", "b", conn -> { throw new AssertionError("must not run"); }))
                .isEqualTo(XaResult.DUPLICATE);
    }

    @Test
    void prepareThatFailsYetLandedIsAYes() {
        fake.prepareAnswer = (xid, p) -> {
            p.add(XaIds.branchOf(xid).orElseThrow()); // prepared, but the answer is lost
            throw FakeXaDataSource.xa(XAException.XAER_RMFAIL);
        };
        xa.work("g2", "b", conn -> { });
        assertThat(xa.prepare("g2", "b")).isEqualTo(XaResult.APPLIED);
        assertThat(xa.inFlight()).isZero();
        assertThat(xa.prepare("g2", "b")).isEqualTo(XaResult.DUPLICATE);
        assertThat(xa.commit("g2", "b")).isEqualTo(XaResult.APPLIED);
        assertThat(fake.prepared).isEmpty();
    }

    @Test
    void prepareThatFailsAndDidNotLandIsANo() {
        fake.prepareAnswer = (xid, p) -> {
            throw FakeXaDataSource.xa(0); // what the MariaDB driver answers for a lost connection
        };
        xa.work("g3", "b", conn -> { });
        assertThat(xa.prepare("g3", "b")).isEqualTo(XaResult.REFUSED);
        assertThat(xa.inFlight()).isZero();
        assertThat(xa.prepare("g3", "b")).isEqualTo(XaResult.REFUSED);
        assertThat(xa.rollback("g3", "b")).isEqualTo(XaResult.DUPLICATE);
    }

    @Test
    void prepareRolledBackByTheDatabaseIsANo() {
        fake.prepareAnswer = (xid, p) -> {
            throw FakeXaDataSource.xa(XAException.XA_RBINTEGRITY); // a deferred constraint, say
        };
        xa.work("g4", "b", conn -> { });
        assertThat(xa.prepare("g4", "b")).isEqualTo(XaResult.REFUSED);
        assertThat(xa.commit("g4", "b")).as("commit after a no").isEqualTo(XaResult.REFUSED);
        assertThat(xa.rollback("g4", "b").isSuccess()).isTrue();
    }

    @Test
    void prepareThatFailsWhileTheDatabaseCannotBeAskedIsTryLater() {
        fake.prepareAnswer = (xid, p) -> {
            p.add(XaIds.branchOf(xid).orElseThrow());
            fake.recoverFails = true;
            throw FakeXaDataSource.xa(XAException.XAER_RMFAIL);
        };
        xa.work("g5", "b", conn -> { });
        assertThat(xa.prepare("g5", "b")).isEqualTo(XaResult.RETRY);
        assertThat(xa.inFlight()).isZero();
        fake.recoverFails = false;
        assertThat(xa.prepare("g5", "b")).as("the retry finds it prepared").isEqualTo(XaResult.DUPLICATE);
        assertThat(xa.rollback("g5", "b")).isEqualTo(XaResult.APPLIED);
    }

    @Test
    void commitThatFailsWhileStillPreparedIsTryLater() {
        xa.work("g6", "b", conn -> { });
        assertThat(xa.prepare("g6", "b")).isEqualTo(XaResult.APPLIED);
        fake.commitFailure = FakeXaDataSource.xa(XAException.XAER_NOTA); // like MariaDB with the session alive
        assertThat(xa.commit("g6", "b")).isEqualTo(XaResult.RETRY);
        fake.commitFailure = FakeXaDataSource.xa(XAException.XAER_RMERR);
        assertThat(xa.commit("g6", "b")).isEqualTo(XaResult.RETRY);
        fake.recoverFails = true;
        assertThat(xa.commit("g6", "b")).isEqualTo(XaResult.RETRY);
        fake.recoverFails = false;
        fake.commitFailure = null;
        assertThat(xa.commit("g6", "b")).isEqualTo(XaResult.APPLIED);
        assertThat(fake.prepared).isEmpty();
    }

    @Test
    void unreachableDatabase() {
        fake.unreachable = true;
        clock.advance(XaConnectionPool.VALIDATE_AFTER_IDLE); // the pooled connection is checked before reuse
        assertThatThrownBy(() -> xa.work("g7", "b", conn -> { })).isInstanceOf(XaException.class)
                .hasMessageContaining("no XA connection");
        assertThat(xa.inFlight()).isZero();
        assertThat(xa.prepare("g7", "b")).isEqualTo(XaResult.RETRY);
        assertThat(xa.commit("g7", "b")).isEqualTo(XaResult.RETRY);
        assertThat(xa.rollback("g7", "b")).isEqualTo(XaResult.RETRY);
        assertThatThrownBy(xa::recoverOnce).isInstanceOf(XaException.class)
                .hasMessageContaining("cannot list prepared");
        fake.unreachable = false;
        assertThat(xa.work("g7", "b", conn -> { })).as("a failed work may run again").isEqualTo(XaResult.APPLIED);
        assertThat(xa.rollback("g7", "b")).isEqualTo(XaResult.APPLIED);
    }

    @Test
    void coordinatorFailureLeavesPreparedBranches() {
        fake.prepared.add(new XaBranchId("g8", "b"));
        clock.advance(Duration.ofDays(1));
        RecoveryReport r = xa.recoverOnce();
        assertThat(r.unreachable()).isEqualTo(1);
        assertThat(fake.prepared).hasSize(1);
        fake.prepared.clear();
    }
}
