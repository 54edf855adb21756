package dev.pactum.client.xa;

import dev.pactum.client.barrier.BranchRefusedException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.transaction.xa.XAException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The participant's connection pool on the in-memory XA resource, which counts physical connections and can break
 * them on demand. The fake calls itself MySQL, so a prepared branch keeps its session until phase 2, as on MariaDB.
 * The same rules on the real databases: {@link XaParticipantContract}.
 */
class XaConnectionReuseTest {
    final FakeXaDataSource fake = new FakeXaDataSource();
    final MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
    XaParticipant xa = participant(32);

    XaParticipant participant(int maxConnections) {
        return XaParticipant.builder(fake).statusSource(gid -> {
            throw new IllegalStateException("no coordinator here");
        }).clock(clock).maxConnections(maxConnections).build();
    }

    @AfterEach
    void closeLeavesNoConnectionOpen() {
        xa.close();
        assertThat(fake.closed.get()).as("connections closed at close()").isEqualTo(fake.opened.get());
        assertThat(xa.pool().open()).isZero();
        assertThat(xa.phaseTwoPool().open()).isZero();
    }

    void commitOne(String gid) {
        assertThat(xa.work(gid, "b", conn -> { })).isEqualTo(XaResult.APPLIED);
        assertThat(xa.prepare(gid, "b")).isEqualTo(XaResult.APPLIED);
        assertThat(xa.commit(gid, "b")).isEqualTo(XaResult.APPLIED);
    }

    @Test
    void oneConnectionServesManyTransactionsInTurn() {
        for (int i = 0; i < 200; i++) {
            String gid = "g" + i;
            assertThat(xa.work(gid, "b", conn -> { })).isEqualTo(XaResult.APPLIED);
            assertThat(xa.prepare(gid, "b")).isEqualTo(XaResult.APPLIED);
            assertThat(i % 2 == 0 ? xa.commit(gid, "b") : xa.rollback(gid, "b")).isEqualTo(XaResult.APPLIED);
            assertThat(xa.rollback("never-" + i, "b")).as("unknown xid: an answer, not an error")
                    .isEqualTo(XaResult.DUPLICATE);
        }
        assertThat(xa.recoverOnce().prepared()).isZero();
        // One for the work and its phase 2 (MySQL: on the preparing session); one reserved for phase 2 of unknown
        // xids and recovery, opened at build() to learn the database.
        assertThat(xa.pool().opened()).isEqualTo(1);
        assertThat(xa.phaseTwoPool().opened()).isEqualTo(1);
        assertThat(fake.closed.get()).isZero();
    }

    @Test
    void openConnectionsStayWithinWhatIsInUseAtOnce() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        String gid = "t" + thread + "-" + i;
                        for (String b : List.of("b1", "b2")) {
                            assertThat(xa.work(gid, b, conn -> { })).isEqualTo(XaResult.APPLIED);
                        }
                        for (String b : List.of("b1", "b2")) {
                            assertThat(xa.prepare(gid, b)).isEqualTo(XaResult.APPLIED);
                        }
                        for (String b : List.of("b1", "b2")) {
                            assertThat(xa.commit(gid, b)).isEqualTo(XaResult.APPLIED);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
        // Each thread holds two connections at most (two branches worked, or prepared, and not yet committed).
        assertThat(fake.opened.get()).as("opened for 400 transactions of 2 branches").isLessThanOrEqualTo(2 * threads);
        assertThat(xa.pool().idle()).isEqualTo(xa.pool().open());
        assertThat(fake.prepared).isEmpty();
    }

    @Test
    void brokenPooledConnectionIsClosedAndReplaced() {
        commitOne("g1");
        fake.breakOpenConnections(); // the database restarted
        clock.advance(XaConnectionPool.VALIDATE_AFTER_IDLE); // idle long enough to be checked before reuse

        commitOne("g2");
        assertThat(xa.pool().opened()).isEqualTo(2);
        assertThat(fake.closed.get()).as("the broken one").isEqualTo(1);
    }

    @Test
    void brokenConnectionUsedMomentsAgoFailsOneCallThenIsReplaced() {
        // Validation is skipped for a connection used less than VALIDATE_AFTER_IDLE ago (as HikariCP does): a
        // connection that broke in that window fails the call that gets it, and is closed.
        commitOne("g1");
        fake.breakOpenConnections();
        assertThatThrownBy(() -> xa.work("g2", "b", conn -> { })).isInstanceOf(XaException.class)
                .hasMessageContaining("could not start");
        assertThat(fake.closed.get()).isEqualTo(1);
        commitOne("g2");
        assertThat(xa.pool().opened()).isEqualTo(2);
    }

    @Test
    void connectionThatSawAnErrorIsClosedNotPooled() {
        assertThatThrownBy(() -> xa.work("g1", "b", conn -> {
            throw new IllegalStateException("bug in business code");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(fake.closed.get()).isEqualTo(1);

        assertThat(xa.work("g2", "b", conn -> {
            throw new BranchRefusedException("insufficient balance");
        })).isEqualTo(XaResult.REFUSED);
        assertThat(fake.closed.get()).as("a refusal rolled back cleanly: the connection is reused").isEqualTo(1);

        assertThat(xa.work("g3", "b", conn -> { })).isEqualTo(XaResult.APPLIED);
        assertThat(xa.prepare("g3", "b")).isEqualTo(XaResult.APPLIED);
        assertThat(xa.holdsConnection("g3", "b")).isTrue();
        fake.commitFailure = FakeXaDataSource.xa(XAException.XAER_RMERR);
        assertThat(xa.commit("g3", "b")).isEqualTo(XaResult.RETRY);
        assertThat(fake.closed.get()).as("the preparing session failed: closed").isEqualTo(2);
        assertThat(xa.holdsConnection("g3", "b")).isFalse();
        fake.commitFailure = null;
        assertThat(xa.commit("g3", "b")).as("the retry, from another connection").isEqualTo(XaResult.APPLIED);
        assertThat(fake.prepared).isEmpty();
    }

    @Test
    void allConnectionsInUseIsTryLater() {
        xa.close();
        xa = participant(2);
        assertThat(xa.work("g1", "b", conn -> { })).isEqualTo(XaResult.APPLIED);
        assertThat(xa.work("g2", "b", conn -> { })).isEqualTo(XaResult.APPLIED);

        XaResult third = xa.work("g3", "b", conn -> {
            throw new AssertionError("must not run without a connection");
        });
        assertThat(third).as("after waiting for a connection").isEqualTo(XaResult.RETRY);
        assertThat(xa.stateOf("g3", "b")).isNull();
        assertThat(xa.pool().open()).isEqualTo(2);

        assertThat(xa.rollback("g1", "b")).isEqualTo(XaResult.APPLIED);
        assertThat(xa.work("g3", "b", conn -> { })).as("run again once one is free").isEqualTo(XaResult.APPLIED);
        assertThat(xa.rollback("g2", "b")).isEqualTo(XaResult.APPLIED);
        assertThat(xa.rollback("g3", "b")).isEqualTo(XaResult.APPLIED);
        assertThat(xa.pool().opened()).isEqualTo(2);
    }

    @Test
    void phaseTwoAndRecoveryDoNotWaitForWorkConnections() {
        // Issue 6: every work connection is held (branches idle, or work waiting for a row lock); the commit or
        // rollback of a branch not held on a session, and recovery, still get a connection of their own at once.
        xa.close();
        xa = participant(1);
        assertThat(xa.work("held", "b", conn -> { })).isEqualTo(XaResult.APPLIED);
        assertThat(xa.pool().idle()).isZero();

        assertThat(xa.rollback("elsewhere", "b")).as("phase 2 of an xid not held here").isEqualTo(XaResult.DUPLICATE);
        assertThat(xa.recoverOnce().prepared()).as("a recovery scan").isZero();
        assertThat(xa.prepare("lost", "b")).as("a prepare that must ask the database").isEqualTo(XaResult.REFUSED);
        assertThat(xa.pool().opened()).as("work connections").isEqualTo(1);
        assertThat(xa.rollback("held", "b")).isEqualTo(XaResult.APPLIED);
    }

    @Test
    void workConnectionsCarryTheWorkBoundsAndReservedOnesDoNot() {
        xa.close();
        xa = XaParticipant.builder(fake).statusSource(gid -> null).clock(clock)
                .workTimeout(Duration.ofMillis(2_500)).build();
        assertThat(fake.sessionSql).as("the connection build() opened is a reserved one").isEmpty();
        commitOne("g1");
        // MySQL dialect: lock waits in whole seconds, rounded up; statements in seconds with a fraction.
        assertThat(fake.sessionSql).containsExactly("SET SESSION innodb_lock_wait_timeout = 3",
                "SET SESSION max_statement_time = 2.5");
        commitOne("g2");
        assertThat(fake.sessionSql).as("once per physical connection, not per branch").hasSize(2);
    }

    @Test
    void preparedBranchGivesUpItsSessionAfterTheRecoveryDelay() {
        assertThat(xa.work("g1", "b", conn -> { })).isEqualTo(XaResult.APPLIED);
        assertThat(xa.prepare("g1", "b")).isEqualTo(XaResult.APPLIED);
        assertThat(xa.recoverOnce().inFlight()).isEqualTo(1);
        assertThat(xa.holdsConnection("g1", "b")).isTrue();

        clock.advance(Duration.ofSeconds(30));
        RecoveryReport r = xa.recoverOnce();
        assertThat(r.unreachable()).isEqualTo(1);
        assertThat(xa.holdsConnection("g1", "b")).as("released: in doubt, waiting for the coordinator").isFalse();
        assertThat(fake.closed.get()).isEqualTo(1);
        assertThat(fake.prepared).hasSize(1);
        assertThat(xa.commit("g1", "b")).isEqualTo(XaResult.APPLIED);
        assertThat(fake.prepared).isEmpty();
    }

    @Test
    void closeClosesEveryConnectionAndLeavesPreparedBranchesPrepared() {
        assertThat(xa.work("idle", "b", conn -> { })).isEqualTo(XaResult.APPLIED);
        assertThat(xa.work("prepared", "b", conn -> { })).isEqualTo(XaResult.APPLIED);
        assertThat(xa.prepare("prepared", "b")).isEqualTo(XaResult.APPLIED);
        commitOne("committed");
        assertThat(xa.pool().open()).isEqualTo(3);

        xa.close(); // @AfterEach checks that every connection is closed
        assertThat(fake.prepared).containsExactly(new XaBranchId("prepared", "b"));
        fake.prepared.clear();
    }

    @Test
    void connectionsAreReplacedWithAgeAndClosedWhenUnused() {
        commitOne("g1");
        clock.advance(XaConnectionPool.MAX_LIFETIME);
        commitOne("g2");
        assertThat(xa.pool().opened()).as("replaced after its lifetime").isEqualTo(2);
        assertThat(fake.closed.get()).isEqualTo(1);

        clock.advance(XaConnectionPool.MAX_IDLE);
        xa.runOnce(); // the background loop's pass: recovery borrows a fresh reserved one for its scan
        assertThat(fake.closed.get()).as("unused for MAX_IDLE: closed (one of each pool)").isEqualTo(3);
        assertThat(xa.pool().open()).isZero();
        assertThat(xa.phaseTwoPool().open()).isEqualTo(1);
    }
}
