package dev.pactum.store.embedded;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * One caller's mutation on its way through the {@link GroupCommitWriter}, and what became of it.
 *
 * <pre>
 *   QUEUED ──writer puts it in a batch──▶ WRITING ──db.write returned──▶ WRITTEN
 *     │                                     └──────db.write threw───────▶ UNKNOWN
 *     └──caller withdrew it (interrupted, store closing), or writer refused it──▶ NOT_WRITTEN
 * </pre>
 *
 * Each move is one compare-and-set, so the writer taking a write and its caller withdrawing it can race safely:
 * exactly one wins, and the loser learns which. That is what makes an interrupted caller's answer true.
 *
 * <p>A <em>detached</em> write has no waiting caller (a lazy write whose caller went on): instead, any thread may
 * wait for its final state ({@link #awaitFinal}), and {@code onFinal} runs once it is reached, on whichever thread
 * made the last move (the writer, or a caller whose queueing was refused).
 */
final class PendingWrite {
    enum State {
        QUEUED, WRITING, WRITTEN, NOT_WRITTEN, UNKNOWN;

        boolean isFinal() {
            return this == WRITTEN || this == NOT_WRITTEN || this == UNKNOWN;
        }
    }

    /** A state with what led to it; NOT_WRITTEN and UNKNOWN carry a reason, UNKNOWN maybe RocksDB's error. */
    record Outcome(State state, String why, Throwable cause) {
    }

    private static final Outcome QUEUED = new Outcome(State.QUEUED, null, null);
    private static final Outcome WRITING = new Outcome(State.WRITING, null, null);
    private static final Outcome WRITTEN = new Outcome(State.WRITTEN, null, null);

    final Mutation mutation;
    private final Thread waiter;
    /** Detached writes only: counted down at the final state, for threads that wait for it without owning it. */
    private final CountDownLatch settled;
    private final Consumer<PendingWrite> onFinal;
    private final AtomicReference<Outcome> outcome = new AtomicReference<>(QUEUED);

    PendingWrite(Mutation mutation, Thread waiter) {
        this.mutation = mutation;
        this.waiter = waiter;
        this.settled = null;
        this.onFinal = null;
    }

    /** A detached write: nobody parks for it; {@code onFinal} runs once, when it is written, refused or unknown. */
    static PendingWrite detached(Mutation mutation, Consumer<PendingWrite> onFinal) {
        return new PendingWrite(mutation, onFinal);
    }

    private PendingWrite(Mutation mutation, Consumer<PendingWrite> onFinal) {
        this.mutation = mutation;
        this.waiter = null;
        this.settled = new CountDownLatch(1);
        this.onFinal = onFinal;
    }

    boolean isDetached() {
        return settled != null;
    }

    Outcome outcome() {
        return outcome.get();
    }

    /** Writer: QUEUED → WRITING. False if the write was withdrawn first. */
    boolean take() {
        return outcome.compareAndSet(QUEUED, WRITING);
    }

    /** Caller or writer: QUEUED → NOT_WRITTEN. False if the writer already took it. */
    boolean withdraw(String why) {
        if (outcome.compareAndSet(QUEUED, new Outcome(State.NOT_WRITTEN, why, null))) {
            wake();
            return true;
        }
        return false;
    }

    /** Writer: WRITING → WRITTEN ({@code why == null}), or → UNKNOWN with the reason and RocksDB's error. */
    void finish(String why, Throwable error) {
        Outcome to = why == null ? WRITTEN : new Outcome(State.UNKNOWN, why, error);
        if (!outcome.compareAndSet(WRITING, to)) {
            throw new IllegalStateException("write " + mutation.what() + " finished from " + outcome.get().state()
                    + ", not WRITING");
        }
        wake();
    }

    private void wake() {
        if (settled == null) {
            LockSupport.unpark(waiter);
            return;
        }
        settled.countDown();
        if (onFinal != null) {
            onFinal.accept(this);
        }
    }

    /**
     * Any thread: waits up to {@code nanos} for a detached write to reach its final state; true if it did. Used by
     * whoever reads or writes the same keys next, so that it sees this write (read-your-writes).
     */
    boolean awaitFinal(long nanos) throws InterruptedException {
        return settled.await(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Waits for the write's outcome. Without an interrupt it waits as long as the write takes. An interrupt withdraws
     * the write if the writer has not taken it yet (NOT_WRITTEN); otherwise the write is already in RocksDB's hands,
     * so the caller goes on waiting, deaf to further interrupts, for at most {@code interruptedWaitNanos}. The
     * interrupt flag is set again before returning. Returns the final outcome, or WRITING if that bound ran out.
     */
    Outcome await(long interruptedWaitNanos) {
        boolean interrupted = false;
        long deadline = 0;
        try {
            while (true) {
                Outcome o = outcome.get();
                if (o.state().isFinal()) {
                    return o;
                }
                if (Thread.interrupted() && !interrupted) {
                    interrupted = true;
                    if (withdraw("its caller was interrupted before the writer took it")) {
                        return outcome.get();
                    }
                    deadline = System.nanoTime() + interruptedWaitNanos;
                }
                if (interrupted) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return outcome.get();
                    }
                    LockSupport.parkNanos(this, left);
                } else {
                    LockSupport.park(this);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
