package dev.pactum.store.embedded;

import dev.pactum.api.TxPattern;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.spi.StoreStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a caller of the embedded store is told about its write is what the disk holds (issue 6, item 5): with
 * callers interrupted while their writes are queued or being made, with the store closed under running writes, and
 * after close. Every check of "what the disk holds" reopens the store. Waits are bounded; nothing asserts a time.
 */
class EmbeddedStoreWritesTest {
    private static final Instant T0 = Instant.parse("2030-03-04T05:06:07.089Z");
    private static final Duration BOUND = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    /** What a caller learnt from its begin. */
    enum Told { WRITTEN, NOT_WRITTEN, UNKNOWN, FAILED }

    record Attempt(Told told, Throwable error, boolean interruptedAfter) {
    }

    private static GlobalTransaction tx(String gid) {
        return GlobalTransaction.begin(gid, TxPattern.TCC, T0, T0.plusSeconds(60));
    }

    private static Attempt begin(EmbeddedTransactionStore store, String gid) {
        try {
            boolean created = store.begin(tx(gid)).created();
            return new Attempt(created ? Told.WRITTEN : Told.FAILED, null, Thread.currentThread().isInterrupted());
        } catch (StoreWriteRefusedException e) {
            return new Attempt(Told.NOT_WRITTEN, e, Thread.currentThread().isInterrupted());
        } catch (StoreWriteUnknownException e) {
            return new Attempt(Told.UNKNOWN, e, Thread.currentThread().isInterrupted());
        } catch (Throwable e) {
            // Any other failure tells the caller "it failed", so the write must then be absent.
            return new Attempt(Told.FAILED, e, Thread.currentThread().isInterrupted());
        }
    }

    /** Checks every answer against a reopened store: WRITTEN is there, NOT_WRITTEN and FAILED are not. */
    private void assertAnswersMatchTheDisk(Map<String, Attempt> answers) {
        try (EmbeddedTransactionStore reopened = EmbeddedTransactionStore.open(EmbeddedStoreConfig.durable(dir))) {
            List<String> wrong = new ArrayList<>();
            answers.forEach((gid, a) -> {
                boolean there = reopened.find(gid).isPresent();
                boolean truthful = switch (a.told()) {
                    case WRITTEN -> there;
                    case NOT_WRITTEN, FAILED -> !there;
                    case UNKNOWN -> true;
                };
                if (!truthful) {
                    wrong.add(gid + " told " + a.told() + " (" + a.error() + ") but " + (there ? "present" : "absent"));
                }
            });
            assertThat(wrong).as("answers that do not match the disk, of " + answers.size()).isEmpty();
        }
    }

    private static void awaitTrue(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
            Thread.sleep(1);
        }
    }

    @Test
    void interruptedCallersAreToldTheTruthAboutTheirWrites() throws Exception {
        EmbeddedTransactionStore store = EmbeddedTransactionStore.open(EmbeddedStoreConfig.durable(dir));
        Map<String, Attempt> answers = new ConcurrentHashMap<>();
        int callers = 32;
        int perCaller = 60;
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
            int caller = c;
            threads.add(Thread.ofVirtual().name("caller-" + c).start(() -> {
                for (int i = 0; i < perCaller; i++) {
                    String gid = "g-" + caller + "-" + i;
                    answers.put(gid, begin(store, gid));
                    Thread.interrupted(); // start the next write clean, so that interrupts land in every phase
                }
            }));
        }
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger interrupts = new AtomicInteger();
        Thread interrupter = Thread.ofPlatform().name("interrupter").start(() -> {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            while (!done.get()) {
                threads.get(r.nextInt(threads.size())).interrupt();
                interrupts.incrementAndGet();
                LockSupport.parkNanos(r.nextLong(20_000, 400_000));
            }
        });
        for (Thread t : threads) {
            assertThat(t.join(BOUND)).as(t.getName() + " finished").isTrue();
        }
        done.set(true);
        interrupter.join(BOUND.toMillis());
        store.close();

        assertThat(answers).hasSize(callers * perCaller);
        long notWritten = answers.values().stream().filter(a -> a.told() != Told.WRITTEN).count();
        // Not a speed check: only that the interrupts did reach writes, or this test would prove nothing.
        assertThat(notWritten).as("writes not reported written, after %d interrupts", interrupts.get()).isPositive();
        assertAnswersMatchTheDisk(answers);
        assertThat(answers.values()).as("every failure is a refusal or an unknown outcome, never a bare error")
                .noneMatch(a -> a.told() == Told.FAILED);
    }

    @Test
    void closeWhileWritesAreInFlightFinishesThemAndRefusesTheRest() throws Exception {
        EmbeddedTransactionStore store = EmbeddedTransactionStore.open(EmbeddedStoreConfig.durable(dir));
        Map<String, Attempt> answers = new ConcurrentHashMap<>();
        AtomicInteger written = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < 32; c++) {
            int caller = c;
            threads.add(Thread.ofVirtual().start(() -> {
                for (int i = 0; ; i++) {
                    String gid = "g-" + caller + "-" + i;
                    Attempt a = begin(store, gid);
                    answers.put(gid, a);
                    if (a.told() != Told.WRITTEN) {
                        return;
                    }
                    written.incrementAndGet();
                }
            }));
        }
        awaitTrue("some writes", () -> written.get() >= 200);
        store.close();
        for (Thread t : threads) {
            assertThat(t.join(BOUND)).isTrue();
        }

        List<Attempt> last = answers.values().stream().filter(a -> a.told() != Told.WRITTEN).toList();
        assertThat(last).as("each caller's last write, refused because the store closed").hasSize(32)
                .allSatisfy(a -> {
                    assertThat(a.told()).isEqualTo(Told.NOT_WRITTEN);
                    assertThat(a.error()).isInstanceOf(StoreClosedException.class);
                });
        assertAnswersMatchTheDisk(answers);
    }

    @Test
    void aWriteOrReadAfterCloseFailsWithAClearError() {
        EmbeddedTransactionStore store = EmbeddedTransactionStore.open(EmbeddedStoreConfig.durable(dir));
        store.close();

        Attempt a = begin(store, "late");
        assertThat(a.told()).isEqualTo(Told.NOT_WRITTEN);
        assertThat(a.error()).isInstanceOf(StoreClosedException.class)
                .hasMessageContaining("closed").hasMessageContaining("late").hasMessageContaining(dir.toString());
        Attempt read = new Attempt(null, catchThrowable(() -> store.find("late")), false);
        assertThat(read.error()).isInstanceOf(StoreClosedException.class).hasMessageContaining("late");
        store.close(); // a second close is harmless
        assertAnswersMatchTheDisk(Map.of("late", a));
    }

    @Test
    void closeWhileWritesAreQueuedDrainsThemIntoOneFsyncThenClosesTheDatabase() throws Exception {
        Hold hold = new Hold();
        EmbeddedTransactionStore store = EmbeddedTransactionStore.open(EmbeddedStoreConfig.durable(dir), hold);
        Map<String, Attempt> answers = new ConcurrentHashMap<>();
        Thread first = Thread.ofVirtual().start(() -> answers.put("first", begin(store, "first")));
        hold.awaitHeld();
        int queued = 20;
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < queued; i++) {
            String gid = "queued-" + i;
            threads.add(Thread.ofVirtual().start(() -> answers.put(gid, begin(store, gid))));
        }
        awaitTrue("writes queued behind the held one", () -> store.queuedWrites() == queued);
        StoreStats before = store.stats().orElseThrow();
        Thread closer = Thread.ofPlatform().start(store::close);
        awaitTrue("close to begin", store::isClosing);

        answers.put("after-close", begin(store, "after-close"));
        assertThat(answers.get("after-close").error()).isInstanceOf(StoreClosedException.class);
        assertThat(closer.isAlive()).as("close waits for the queued writes").isTrue();
        hold.release();
        assertThat(closer.join(BOUND)).as("close finished").isTrue();
        assertThat(first.join(BOUND)).isTrue();
        for (Thread t : threads) {
            assertThat(t.join(BOUND)).isTrue();
        }

        assertThat(answers.values().stream().filter(a -> a.told() == Told.WRITTEN)).hasSize(queued + 1);
        StoreStats after = store.stats().orElseThrow();
        assertThat(after.writes() - before.writes()).isEqualTo(queued + 1);
        assertThat(after.fsyncs() - before.fsyncs()).as("the held write's fsync, then one for all that queued")
                .isEqualTo(2);
        assertAnswersMatchTheDisk(answers);
    }

    @Test
    void anInterruptedCallerLearnsWhetherItsWriteWasMade() throws Exception {
        Hold hold = new Hold();
        EmbeddedTransactionStore store = EmbeddedTransactionStore.open(EmbeddedStoreConfig.durable(dir), hold);
        Map<String, Attempt> answers = new ConcurrentHashMap<>();
        Thread running = Thread.ofVirtual().start(() -> answers.put("running", begin(store, "running")));
        hold.awaitHeld();
        Thread queued = Thread.ofVirtual().start(() -> answers.put("queued", begin(store, "queued")));
        awaitTrue("a write queued", () -> store.queuedWrites() == 1);

        queued.interrupt();
        assertThat(queued.join(BOUND)).isTrue();
        assertThat(answers.get("queued").told()).as("withdrawn before the writer took it").isEqualTo(Told.NOT_WRITTEN);
        assertThat(answers.get("queued").interruptedAfter()).as("interrupt flag restored").isTrue();

        running.interrupt();
        hold.release();
        assertThat(running.join(BOUND)).isTrue();
        assertThat(answers.get("running").told()).as("already being written: waited for it").isEqualTo(Told.WRITTEN);
        assertThat(answers.get("running").interruptedAfter()).as("interrupt flag restored").isTrue();
        store.close();
        assertAnswersMatchTheDisk(answers);
    }

    @Test
    void aCallerThatGivesUpWaitingIsToldUnknownAndLaterWritesAreRefused() throws Exception {
        Hold hold = new Hold();
        EmbeddedStoreConfig config = new EmbeddedStoreConfig(dir, true, EmbeddedStoreConfig.DEFAULT_GROUP_WINDOW,
                Duration.ofMillis(20), EmbeddedStoreConfig.DEFAULT_CLOSE_WAIT);
        EmbeddedTransactionStore store = EmbeddedTransactionStore.open(config, hold);
        Map<String, Attempt> answers = new ConcurrentHashMap<>();
        Thread running = Thread.ofVirtual().start(() -> answers.put("running", begin(store, "running")));
        hold.awaitHeld();
        running.interrupt();
        assertThat(running.join(BOUND)).isTrue();
        assertThat(answers.get("running").told()).isEqualTo(Told.UNKNOWN);
        assertThat(answers.get("running").interruptedAfter()).isTrue();

        answers.put("later", begin(store, "later"));
        assertThat(answers.get("later").told()).isEqualTo(Told.NOT_WRITTEN);
        assertThat(answers.get("later").error()).hasMessageContaining("unknown").hasMessageContaining("later");
        hold.release();
        store.close();
        assertAnswersMatchTheDisk(answers);
    }

    private static Throwable catchThrowable(Runnable r) {
        try {
            r.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    /** Holds the writer before its first group until released, with a write taken and being made. */
    private static final class Hold implements GroupCommitWriter.BeforeGroup {
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        @Override
        public void run(int writes) {
            if (held.getCount() > 0) {
                held.countDown();
                try {
                    released.await(BOUND.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        void awaitHeld() throws InterruptedException {
            assertThat(held.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).as("writer reached its first group").isTrue();
        }

        void release() {
            released.countDown();
        }
    }
}
