package dev.pactum.store.embedded;

import dev.pactum.core.spi.StoreStats;
import org.rocksdb.RocksDB;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The one thread that writes to RocksDB (group commit). Callers enqueue a {@link Mutation} and wait; the writer takes
 * everything queued, writes it as one {@code WriteBatch}, synced if any write in it must be, and wakes every caller:
 * one fsync for the whole group, however many callers joined it. An unsynced write may instead be queued detached
 * ({@link #writeDetached}): its caller goes on at once, and the writer runs its {@code onFinal} once it is made.
 *
 * <p>Why one thread of our own rather than many threads each making a synced write and letting RocksDB group them:
 * the caller never waits inside native code, so a virtual thread unmounts instead of pinning its carrier for an
 * fsync; the writer alone owns the native batch, so an interrupted caller cannot free it under a running write; and
 * the group is as large as the queue, not as the number of threads that happen to be inside RocksDB at once.
 *
 * <p>Gathering: while one group is being fsync'd the next one queues up by itself. When the previous group held more
 * than one write (so callers are concurrent), a group with a synced write is also held open for up to
 * {@code groupWindow} while writes keep arriving (each within a quarter of the window of the last), because every
 * write that joins saves an fsync. A lone caller never waits for company.
 *
 * <pre>
 *   OPEN ──close()──▶ DRAINING ──queue empty, thread ended──▶ CLOSED
 * </pre>
 * DRAINING refuses new writes and finishes the queued ones. Separately, once a write's outcome is unknown
 * (RocksDB failed the group, or an interrupted caller gave up waiting) the writer refuses every later write with
 * that reason, since a write that may still land must not be overtaken by one computed without it.
 */
final class GroupCommitWriter {
    private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);
    /** At most this many writes per group: bounds one WriteBatch, and the wait of the first caller in it. */
    static final int MAX_GROUP = 1024;
    /** Marks the end of the queue for the writer thread; never written. */
    private static final PendingWrite STOP = new PendingWrite(Mutation.builder("stop").delete(new byte[1]).lazy(), null);

    /**
     * Called on the writer thread with a group taken (its writes WRITING), just before it is written; lets a test hold
     * the writer with one write in progress and others queued.
     */
    @FunctionalInterface
    interface BeforeGroup {
        BeforeGroup NONE = writes -> { };

        void run(int writes);
    }

    enum Phase { OPEN, DRAINING, CLOSED }

    private final RocksDB db;
    private final WriteOptions synced;
    private final WriteOptions unsynced;
    private final boolean syncEnabled;
    private final long windowNanos;
    private final long interruptedWaitNanos;
    private final String where;
    private final BeforeGroup beforeGroup;
    private final LinkedBlockingQueue<PendingWrite> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile Phase phase = Phase.OPEN;
    /** Set once, when a write's outcome became unknown; every later write is refused with it. */
    private volatile String failure;
    // Written by the writer thread only; volatile so that stats() reads current values.
    private volatile long writes;
    private volatile long syncedWrites;
    private volatile long groups;
    private volatile long fsyncs;

    GroupCommitWriter(RocksDB db, EmbeddedStoreConfig config, BeforeGroup beforeGroup) {
        this.db = db;
        this.syncEnabled = config.syncWrites();
        this.windowNanos = config.groupWindow().toNanos();
        this.interruptedWaitNanos = config.interruptedWait().toNanos();
        this.where = config.directory().toString();
        this.beforeGroup = beforeGroup;
        synced = new WriteOptions().setSync(true);
        unsynced = new WriteOptions().setSync(false);
        // A platform thread: it waits in native code for every fsync, which would pin a virtual thread's carrier.
        thread = Thread.ofPlatform().daemon().name("pactum-store-writer").unstarted(this::run);
        thread.start();
    }

    /**
     * Writes the mutation (with its group) and returns once it is written, and on disk if it is synced.
     *
     * @throws StoreWriteRefusedException the write was not made and will not be
     * @throws StoreWriteUnknownException the write may or may not have been made
     */
    void write(Mutation m) {
        PendingWrite w = new PendingWrite(m, Thread.currentThread());
        enqueue(w);
        PendingWrite.Outcome o = w.await(interruptedWaitNanos);
        switch (o.state()) {
            case WRITTEN -> {
            }
            case NOT_WRITTEN -> throw refusedException(m, o.why());
            case UNKNOWN -> throw new StoreWriteUnknownException("embedded store in " + where + ": outcome of "
                    + m.what() + " unknown: " + o.why(), o.cause());
            default -> {
                String why = "a write was still in progress " + Duration.ofNanos(interruptedWaitNanos)
                        + " after its caller was interrupted";
                fail(why);
                throw new StoreWriteUnknownException("embedded store in " + where + ": outcome of " + m.what()
                        + " unknown: " + why, null);
            }
        }
    }

    /**
     * Queues a detached write ({@link PendingWrite#detached}) and returns at once: the caller does not wait for the
     * writer. Only for lazy writes, whose loss a restart repairs; the store makes every later operation on the same
     * keys wait for it ({@link PendingWrite#awaitFinal}) so that reads still see it.
     *
     * @throws StoreWriteRefusedException the store refuses writes now; the write was not queued
     */
    void writeDetached(PendingWrite w) {
        if (!w.isDetached() || w.mutation.sync()) {
            throw new IllegalArgumentException("only a lazy, detached write may be queued without waiting: "
                    + w.mutation.what());
        }
        enqueue(w);
    }

    private void enqueue(PendingWrite w) {
        String refused = refusal();
        if (refused != null) {
            if (w.isDetached()) {
                w.withdraw(refused); // runs its onFinal: nobody is to wait for a write that will never be made
            }
            throw refusedException(w.mutation, refused);
        }
        queue.add(w);
        // close() or a failure may have come between the check and the add, and the writer may be gone: withdraw
        // what it has not taken. Whatever it took, it finishes.
        refused = refusal();
        if (refused != null && w.withdraw(refused)) {
            throw refusedException(w.mutation, refused);
        }
    }

    private String refusal() {
        String f = failure;
        if (f != null) {
            return f;
        }
        return phase == Phase.OPEN ? null : "the store is " + (phase == Phase.DRAINING ? "closing" : "closed");
    }

    private StoreWriteRefusedException refusedException(Mutation m, String why) {
        String msg = "embedded store in " + where + " did not write " + m.what() + ": " + why;
        return phase == Phase.OPEN ? new StoreWriteRefusedException(msg) : new StoreClosedException(msg);
    }

    private void fail(String why) {
        synchronized (this) {
            if (failure != null) {
                return;
            }
            failure = "an earlier write's outcome is unknown (" + why + "); restart the coordinator";
        }
        log.error("embedded store in {}: {}; refusing every further write until restarted", where, why);
    }

    StoreStats stats() {
        return new StoreStats(writes, syncedWrites, groups, fsyncs);
    }

    Phase phase() {
        return phase;
    }

    /** Writes waiting for the writer right now (for tests). */
    int queued() {
        return queue.size();
    }

    private void run() {
        List<PendingWrite> group = new ArrayList<>();
        boolean stopSeen = false;
        int previousSize = 0;
        // About how many callers write concurrently: the largest recent group, forgotten by one per group.
        int population = 0;
        try {
            while (true) {
                PendingWrite first = stopSeen ? queue.poll() : queue.take();
                if (first == null) {
                    return; // stopped, and nothing left
                }
                group.add(first);
                queue.drainTo(group, MAX_GROUP - 1);
                if (!stopSeen && windowNanos > 0 && previousSize > 1 && group.size() < population && first != STOP
                        && needsSync(group)) {
                    gather(group, population);
                }
                stopSeen |= group.removeIf(w -> w == STOP);
                previousSize = writeGroup(group);
                population = Math.max(previousSize, population - 1);
                group.clear();
            }
        } catch (InterruptedException e) {
            // Nothing interrupts this thread on purpose; treat it as the end and refuse what is left.
            Thread.currentThread().interrupt();
        } finally {
            // Still OPEN means the thread ends without close() (an Error): no one would ever take a write again, so
            // refuse them all from now on rather than let callers wait for nothing.
            if (phase == Phase.OPEN) {
                fail("the writer thread ended unexpectedly");
            }
            refuseAll(group);
            refuseAll(queue);
        }
    }

    /**
     * Holds the group open while writes keep coming, until it is as large as the recent largest one (everyone who
     * usually writes at once is in), no write came for a quarter of the window, or the window is over.
     */
    private void gather(List<PendingWrite> group, int population) throws InterruptedException {
        long deadline = System.nanoTime() + windowNanos;
        long gap = Math.max(1, windowNanos / 4);
        while (group.size() < Math.min(population, MAX_GROUP)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return;
            }
            PendingWrite next = queue.poll(Math.min(left, gap), TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            group.add(next);
            if (next == STOP) {
                return;
            }
            queue.drainTo(group, MAX_GROUP - group.size());
        }
    }

    private static boolean needsSync(List<PendingWrite> group) {
        for (PendingWrite w : group) {
            if (w.mutation.sync()) {
                return true;
            }
        }
        return false;
    }

    /** Writes what of the group was not withdrawn, as one batch; returns how many writes that was. */
    private int writeGroup(List<PendingWrite> group) {
        String refused = failure;
        List<PendingWrite> taken = new ArrayList<>(group.size());
        boolean sync = false;
        for (PendingWrite w : group) {
            if (refused != null) {
                w.withdraw(refused);
            } else if (w.take()) {
                taken.add(w);
                sync |= w.mutation.sync();
            }
        }
        if (taken.isEmpty()) {
            return 0;
        }
        boolean forced = sync && syncEnabled;
        try (WriteBatch batch = new WriteBatch()) {
            beforeGroup.run(taken.size());
            for (PendingWrite w : taken) {
                for (Mutation.Op op : w.mutation.ops()) {
                    if (op.value() == null) {
                        batch.delete(op.key());
                    } else {
                        batch.put(op.key(), op.value());
                    }
                }
            }
            db.write(forced ? synced : unsynced, batch);
        } catch (Throwable e) {
            // Whether the WAL append or its fsync reached the disk is not known: say so, and stop writing.
            String why = "RocksDB failed a write of " + taken.size() + " operations: " + e;
            fail(why);
            for (PendingWrite w : taken) {
                w.finish(why, e);
            }
            if (e instanceof Error err) {
                throw err;
            }
            return taken.size();
        }
        int synced = 0;
        for (PendingWrite w : taken) {
            synced += w.mutation.sync() ? 1 : 0;
        }
        writes += taken.size();
        syncedWrites += synced;
        groups++;
        if (forced) {
            fsyncs++;
        }
        for (PendingWrite w : taken) {
            w.finish(null, null);
        }
        return taken.size();
    }

    private void refuseAll(Iterable<PendingWrite> ws) {
        String why = refusal() == null ? "the store's writer stopped" : refusal();
        for (PendingWrite w : ws) {
            if (w != STOP) {
                w.withdraw(why);
            }
        }
    }

    /**
     * Refuses new writes, lets the writer finish every queued one, and waits up to {@code bound} for it to end.
     * Returns false if it is still writing then: the caller must not close the database under it.
     */
    boolean close(Duration bound) throws InterruptedException {
        synchronized (this) {
            if (phase == Phase.OPEN) {
                phase = Phase.DRAINING;
                queue.add(STOP);
            }
        }
        thread.join(bound);
        if (thread.isAlive()) {
            return false;
        }
        synchronized (this) {
            if (phase != Phase.CLOSED) {
                phase = Phase.CLOSED;
                synced.close();
                unsynced.close();
            }
        }
        return true;
    }
}
