package dev.pactum.store.embedded;

import dev.pactum.api.BranchStatus;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.TxPattern;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.spi.BranchUpdate;
import dev.pactum.core.testkit.TestBranches;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An unsynced write does not make its caller wait for the writer, and the next call on the same transaction waits
 * for it: shown with the writer held inside a group, both with the transaction's records in memory and without
 * (every read then goes to RocksDB). Waits are bounded; nothing asserts a time.
 */
class EmbeddedLazyWritesTest {
    private static final Instant T0 = Instant.parse("2030-03-04T05:06:07.089Z");
    private static final Duration BOUND = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "live records held: {0}")
    @ValueSource(ints = {EmbeddedTransactionStore.LIVE_LIMIT, 0})
    void theFinalWriteReturnsWhileTheWriterIsHeldAndTheNextReadSeesIt(int liveLimit) throws Exception {
        Gate gate = new Gate();
        GlobalTransaction committing;
        try (EmbeddedTransactionStore store = EmbeddedTransactionStore.open(EmbeddedStoreConfig.durable(dir), gate,
                liveLimit)) {
            GlobalTransaction tx = GlobalTransaction.begin("g-1", TxPattern.TCC, T0, T0.plusSeconds(60));
            BranchRecord pay = TestBranches.tcc("g-1", "pay", "http://svc/try", "http://svc/confirm",
                    "http://svc/cancel", T0);
            store.begin(tx, List.of(pay));
            committing = store.compareAndSet(tx, tx.moveTo(GlobalStatus.COMMITTING, "submitted", T0.plusSeconds(1),
                    "node-a", T0.plusSeconds(31))).orElseThrow();

            // Hold the writer inside a group (another transaction's synced begin), so nothing queued after is made.
            gate.arm();
            Thread blocker = Thread.ofVirtual().start(() -> store.begin(GlobalTransaction.begin("g-other",
                    TxPattern.TCC, T0, T0.plusSeconds(60))));
            gate.awaitHeld();

            BranchRecord confirmed = pay.attempted(BranchStatus.CONFIRMED, null, T0.plusSeconds(2));
            AtomicReference<Optional<GlobalTransaction>> done = new AtomicReference<>();
            Thread round = Thread.ofVirtual().start(() -> done.set(store.updateBranchesAndSet(
                    List.of(new BranchUpdate(pay, confirmed)), committing,
                    committing.moveTo(GlobalStatus.COMMITTED, null, T0.plusSeconds(2), null, null))));
            assertThat(round.join(BOUND)).as("the final write returned with the writer held").isTrue();
            assertThat(done.get()).map(GlobalTransaction::status).contains(GlobalStatus.COMMITTED);
            assertThat(gate.isHolding()).isTrue();

            AtomicReference<Optional<GlobalTransaction>> seen = new AtomicReference<>();
            Thread reader = Thread.ofVirtual().start(() -> seen.set(store.find("g-1")));
            awaitParked(reader);
            assertThat(seen.get()).as("the read waits for the write in flight").isNull();

            gate.release();
            assertThat(reader.join(BOUND)).isTrue();
            assertThat(blocker.join(BOUND)).isTrue();
            assertThat(seen.get()).isEqualTo(done.get());
            assertThat(store.branches("g-1")).containsExactly(confirmed);
            assertThat(store.list(GlobalStatus.COMMITTED, null, 10)).containsExactly(done.get().orElseThrow());
        }
        try (EmbeddedTransactionStore reopened = EmbeddedTransactionStore.open(EmbeddedStoreConfig.durable(dir))) {
            assertThat(reopened.find("g-1")).map(GlobalTransaction::status).contains(GlobalStatus.COMMITTED);
            assertThat(reopened.branches("g-1")).extracting(BranchRecord::status)
                    .containsExactly(BranchStatus.CONFIRMED);
        }
    }

    private static void awaitParked(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (t.getState() != Thread.State.WAITING && t.getState() != Thread.State.TIMED_WAITING) {
            assertThat(t.isAlive()).as("the reader is still waiting").isTrue();
            assertThat(System.nanoTime()).as("waiting for the reader to park").isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    /** Once armed, holds the writer inside its next group until released. */
    private static final class Gate implements GroupCommitWriter.BeforeGroup {
        private volatile boolean armed;
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        @Override
        public void run(int writes) {
            if (armed && held.getCount() > 0) {
                held.countDown();
                try {
                    released.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        void arm() {
            armed = true;
        }

        void awaitHeld() throws InterruptedException {
            assertThat(held.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).as("writer held").isTrue();
        }

        boolean isHolding() {
            return held.getCount() == 0 && released.getCount() > 0;
        }

        void release() {
            released.countDown();
        }
    }
}
