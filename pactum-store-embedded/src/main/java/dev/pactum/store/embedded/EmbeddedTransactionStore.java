package dev.pactum.store.embedded;

import dev.pactum.api.GlobalStatus;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.spi.AddBranchResult;
import dev.pactum.core.spi.BeginChecks;
import dev.pactum.core.spi.BeginResult;
import dev.pactum.core.spi.BranchUpdate;
import dev.pactum.core.spi.LaneEntry;
import dev.pactum.core.spi.LaneIndex;
import dev.pactum.core.spi.TransactionStore;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.pactum.core.spi.StoreStats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The default store: RocksDB in a local directory.
 *
 * <p>Why RocksDB: a write with {@code sync=true} is on disk (WAL fsync'd) when it returns. Measured numbers are in
 * docs/store-embedded.md. Every write goes through one {@link GroupCommitWriter}: callers queue a {@link Mutation},
 * the writer writes all that is queued as one batch with one fsync.
 *
 * <p>Durability: begin, addBranch and every move to a decision or to PARKED are synced writes. Branch
 * acknowledgements, leases, reschedules, final statuses and XA's PREPARING are not: the WAL is sequential, so the
 * next synced write persists them too, and losing one in a machine crash only makes the coordinator drive the
 * transaction once more (idempotent calls), wait for nothing, or (PREPARING) abort an XA transaction at its
 * timeout instead of at once. A crash of the process alone loses none of them.
 *
 * <p>Outcomes: a write that returns is written; one that throws {@link StoreWriteRefusedException} (or
 * {@link StoreClosedException}) is not, and never will be; one that throws {@link StoreWriteUnknownException} may be
 * either, after which the store refuses further writes until reopened.
 *
 * <p>Closing: {@link #close} refuses new operations, waits for those in flight (their writes finish), drains the
 * writer, and only then closes the database, so no native call runs on a freed handle.
 *
 * <p>Atomicity: each change is one {@link WriteBatch} (record + status index together). Compare-and-set is
 * read-check-write under a per-transaction stripe lock; that is enough because RocksDB's LOCK file lets
 * only one process open the directory.
 */
public final class EmbeddedTransactionStore implements TransactionStore {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedTransactionStore.class);
    private static final int STRIPES = 1024;
    /**
     * Every status the schedule is rebuilt from on open. Built from the enum, as in the JDBC store, so that a status
     * added later cannot be forgotten: PREPARING once was, and an XA transaction whose coordinator died during the
     * vote was then never presumed aborted after the restart.
     */
    private static final List<GlobalStatus> UNFINISHED = Arrays.stream(GlobalStatus.values())
            .filter(s -> !s.isFinal())
            .toList();

    static {
        RocksDB.loadLibrary();
    }

    private final EmbeddedStoreConfig config;
    private final Options options;
    private final RocksDB db;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final DueIndex due = new DueIndex();
    /** Lanes of keyed messages; the lane keys on disk are the truth, this mirrors them (rebuilt on open). */
    private final LaneIndex lanes = new LaneIndex();
    /**
     * Every write, synced or not, goes through this one thread. A virtual thread that called into RocksDB's write
     * path would stay pinned to its carrier while it waits there, for an fsync if a synced write is ahead of it;
     * with one carrier per core, two such waits stall every virtual thread of the process. Queued to the writer,
     * the caller unmounts while it waits.
     */
    private final GroupCommitWriter writer;
    /** Operations inside the database right now; close() waits for them to leave before it frees the handle. */
    private final AtomicInteger inside = new AtomicInteger();
    private volatile boolean closing;

    private EmbeddedTransactionStore(EmbeddedStoreConfig config, GroupCommitWriter.BeforeGroup beforeGroup)
            throws RocksDBException {
        this.config = config;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
        options = new Options().setCreateIfMissing(true)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                // Only our writer thread writes, so RocksDB's own write group never has followers to wait: no
                // spinning for them either (it would take CPU from the HTTP threads on two cores).
                .setEnableWriteThreadAdaptiveYield(false);
        db = RocksDB.open(options, config.directory().toString());
        writer = new GroupCommitWriter(db, config, beforeGroup);
    }

    /** Opens (or creates) the store in the configured directory and rebuilds the due index. */
    public static EmbeddedTransactionStore open(EmbeddedStoreConfig config) {
        return open(config, GroupCommitWriter.BeforeGroup.NONE);
    }

    /** For tests: {@code beforeGroup} runs on the writer thread before each group is written. */
    static EmbeddedTransactionStore open(EmbeddedStoreConfig config, GroupCommitWriter.BeforeGroup beforeGroup) {
        try {
            Files.createDirectories(config.directory());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the store directory " + config.directory(), e);
        }
        try {
            EmbeddedTransactionStore s = new EmbeddedTransactionStore(config, beforeGroup);
            s.recoverIndex();
            return s;
        } catch (RocksDBException e) {
            throw new IllegalStateException("cannot open the embedded store in " + config.directory()
                    + " (is another coordinator using it?): " + e.getMessage(), e);
        }
    }

    /**
     * Rebuilds the due index from the unfinished transactions. Leases are kept as stored, as in every store: a
     * coordinator restarted with the same node id takes its own leases back at once (see claimDue), while another
     * node waits for them to expire.
     */
    private void recoverIndex() {
        for (GlobalStatus s : UNFINISHED) {
            for (String gid : gidsWithStatus(s, null, Integer.MAX_VALUE)) {
                try {
                    GlobalTransaction tx = readGlobal(gid);
                    if (tx != null) {
                        due.put(gid, tx.nextAttemptAt());
                    }
                } catch (RocksDBException e) {
                    throw failure("read " + gid + " while opening", e);
                }
            }
        }
        try (RocksIterator it = db.newIterator()) {
            for (it.seek(Codec.LANE_PREFIX); it.isValid() && Codec.startsWith(it.key(), Codec.LANE_PREFIX); it.next()) {
                lanes.restore(Codec.laneEntry(it.key(), it.value()));
            }
        }
        log.info("embedded store opened in {}: {} unfinished transactions", config.directory(), due.size());
    }

    @Override
    public BeginResult begin(GlobalTransaction tx, List<BranchRecord> branches) {
        BeginChecks.check(tx, branches);
        enter("begin", tx.gid());
        ReentrantLock lock = lock(tx.gid());
        try {
            GlobalTransaction existing = readGlobal(tx.gid());
            if (existing != null) {
                return new BeginResult(existing, false);
            }
            // One synced write for the transaction and its first branches: they are registered before their Trys.
            Mutation.Builder m = Mutation.builder("begin " + tx.gid())
                    .put(Codec.globalKey(tx.gid()), Codec.encode(tx))
                    .put(Codec.statusKey(tx.status().name(), tx.gid()), new byte[0]);
            for (int i = 0; i < branches.size(); i++) {
                m.put(Codec.branchKey(tx.gid(), i), Codec.encode(branches.get(i)));
            }
            writer.write(m.synced());
            due.put(tx.gid(), tx.nextAttemptAt());
            return new BeginResult(tx, true);
        } catch (RocksDBException e) {
            throw failure("begin " + tx.gid(), e);
        } finally {
            lock.unlock();
            leave();
        }
    }

    @Override
    public Optional<GlobalTransaction> find(String gid) {
        enter("find", gid);
        try {
            return Optional.ofNullable(readGlobal(gid));
        } catch (RocksDBException e) {
            throw failure("find " + gid, e);
        } finally {
            leave();
        }
    }

    @Override
    public List<BranchRecord> branches(String gid) {
        enter("read the branches of", gid);
        try {
            return readBranches(gid);
        } finally {
            leave();
        }
    }

    private List<BranchRecord> readBranches(String gid) {
        List<BranchRecord> out = new ArrayList<>();
        byte[] prefix = Codec.branchPrefix(gid);
        try (ReadOptions ro = new ReadOptions().setPrefixSameAsStart(true);
             RocksIterator it = db.newIterator(ro)) {
            for (it.seek(prefix); it.isValid() && Codec.startsWith(it.key(), prefix); it.next()) {
                out.add(Codec.branch(it.value()));
            }
        }
        return out;
    }

    @Override
    public AddBranchResult addBranch(BranchRecord branch, GlobalStatus requiredStatus) {
        enter("add a branch to", branch.gid());
        ReentrantLock lock = lock(branch.gid());
        try {
            GlobalTransaction tx = readGlobal(branch.gid());
            if (tx == null) {
                return new AddBranchResult.NoSuchTransaction();
            }
            if (tx.status() != requiredStatus) {
                return new AddBranchResult.WrongStatus(tx.status());
            }
            List<BranchRecord> existing = readBranches(branch.gid());
            for (BranchRecord b : existing) {
                if (b.branchId().equals(branch.branchId())) {
                    return new AddBranchResult.Duplicate(b);
                }
            }
            // Synced: the client calls the branch's Try once this returns, and a lost registration would leave a
            // Try that nobody cancels.
            writer.write(Mutation.builder("add branch " + branch.branchId() + " to " + branch.gid())
                    .put(Codec.branchKey(branch.gid(), existing.size()), Codec.encode(branch))
                    .put(Codec.globalKey(tx.gid()), Codec.encode(tx.withVersion(tx.version() + 1)))
                    .synced());
            return new AddBranchResult.Added(branch);
        } catch (RocksDBException e) {
            throw failure("add branch " + branch.branchId() + " to " + branch.gid(), e);
        } finally {
            lock.unlock();
            leave();
        }
    }

    @Override
    public Optional<GlobalTransaction> compareAndSet(GlobalTransaction expected, GlobalTransaction updated) {
        return compareAndSet(expected, updated, List.of());
    }

    @Override
    public Optional<LaneEntry> laneHead(String lane) {
        return lanes.head(lane);
    }

    /**
     * The lane entries are taken in memory before the write (a seq and a place in the lane), so a later decision of
     * the same lane, even one whose write lands first, sees this one ahead of it; a write that fails gives them back.
     */
    @Override
    public Optional<GlobalTransaction> compareAndSet(GlobalTransaction expected, GlobalTransaction updated,
                                                     List<BranchRecord> ordered) {
        if (!expected.gid().equals(updated.gid())) {
            throw new IllegalArgumentException("compareAndSet across transactions: " + expected.gid() + " vs " + updated.gid());
        }
        expected.status().checkMoveTo(updated.status(), expected.gid());
        enter("compare-and-set", expected.gid());
        ReentrantLock lock = lock(expected.gid());
        try {
            GlobalTransaction stored = readGlobal(expected.gid());
            if (stored == null || stored.status() != expected.status() || stored.version() != expected.version()) {
                return Optional.empty();
            }
            GlobalTransaction next = updated.withVersion(expected.version() + 1);
            for (BranchRecord b : ordered) { // all checked before any enters a lane: a refusal leaves none behind
                if (!b.gid().equals(next.gid()) || b.lane() == null) {
                    throw new IllegalArgumentException("branch " + b.branchId() + " of " + b.gid()
                            + " cannot join a lane at the decision of " + next.gid());
                }
            }
            List<LaneEntry> entries = new ArrayList<>(ordered.size());
            for (BranchRecord b : ordered) {
                entries.add(lanes.append(b.lane(), b.gid(), b.branchId()));
            }
            try {
                write(stored, next, entries);
            } catch (StoreWriteRefusedException e) { // not written, and never will be (closed included)
                entries.forEach(lanes::remove);
                throw e;
            }
            return Optional.of(next);
        } catch (RocksDBException e) {
            throw failure("compare-and-set " + expected.gid() + " " + expected.status() + " -> " + updated.status(), e);
        } finally {
            lock.unlock();
            leave();
        }
    }

    /**
     * Writes a new version of a global record with its status index, and mirrors it in the due index. Synced only
     * when it moves the status somewhere a restart could not find again: to a decision (invariant 1) or to PARKED.
     * A final status, a reschedule or a lease (same status) lost in a machine crash leaves the last synced decision
     * on disk, and the coordinator drives the transaction once more; the barrier makes the repeated calls no-ops.
     * XA's PREPARING lost in a machine crash leaves it ACTIVE with every branch it had (they are synced with the
     * begin or their registration), and its decision, synced, always comes after it in the WAL: a restart then
     * aborts it at its timeout and rolls every branch back, prepared or not (docs/core.md, "What is durable when").
     */
    private void write(GlobalTransaction stored, GlobalTransaction next, List<LaneEntry> entries) {
        Mutation.Builder m = Mutation.builder(stored.status() + " -> " + next.status() + " of " + next.gid());
        for (LaneEntry e : entries) {
            m.put(Codec.laneKey(e), Codec.laneValue(e));
        }
        writer.write(addGlobal(m, stored, next) ? m.synced() : m.lazy());
        indexDue(next);
    }

    /** Adds the record and its status index to {@code m}; true if the write must be synced. */
    private static boolean addGlobal(Mutation.Builder m, GlobalTransaction stored, GlobalTransaction next) {
        m.put(Codec.globalKey(next.gid()), Codec.encode(next));
        boolean moves = stored.status() != next.status();
        if (moves) {
            m.delete(Codec.statusKey(stored.status().name(), next.gid()))
                    .put(Codec.statusKey(next.status().name(), next.gid()), new byte[0]);
        }
        return TransactionStore.mustSync(stored.status(), next.status());
    }

    private void indexDue(GlobalTransaction next) {
        if (next.status().isFinal()) {
            due.remove(next.gid());
        } else {
            due.put(next.gid(), next.nextAttemptAt());
        }
    }

    /**
     * One write for a whole phase-2 round: the branch answers and the final status (or whatever {@code updated} is)
     * go to the writer together, as the default's sequence of calls would have written them, under one stripe lock.
     * Synced only if the status part would be ({@link #write}); branch answers never are.
     */
    @Override
    public Optional<GlobalTransaction> updateBranchesAndSet(List<BranchUpdate> updates, GlobalTransaction expected,
                                                            GlobalTransaction updated) {
        if (!expected.gid().equals(updated.gid())) {
            throw new IllegalArgumentException("updateBranchesAndSet across transactions: " + expected.gid() + " vs "
                    + updated.gid());
        }
        expected.status().checkMoveTo(updated.status(), expected.gid());
        for (BranchUpdate u : updates) {
            if (!u.expected().gid().equals(expected.gid())) {
                throw new IllegalArgumentException("branch " + u.expected().branchId() + " of " + u.expected().gid()
                        + " updated with " + expected.gid());
            }
            u.expected().status().checkMoveTo(u.updated().status(), u.expected().gid(), u.expected().branchId());
        }
        enter("record a round of", expected.gid());
        ReentrantLock lock = lock(expected.gid());
        try {
            Mutation.Builder m = Mutation.builder("round of " + expected.gid() + " -> " + updated.status());
            List<LaneEntry> leaves = new ArrayList<>(1);
            boolean all = true;
            byte[] prefix = Codec.branchPrefix(expected.gid());
            List<BranchUpdate> left = new ArrayList<>(updates);
            try (RocksIterator it = db.newIterator()) {
                for (it.seek(prefix); it.isValid() && Codec.startsWith(it.key(), prefix) && !left.isEmpty(); it.next()) {
                    BranchRecord b = Codec.branch(it.value());
                    for (int i = 0; i < left.size(); i++) {
                        BranchRecord e = left.get(i).expected();
                        if (e.branchId().equals(b.branchId())) {
                            if (b.status() == e.status() && b.attempts() == e.attempts()) {
                                BranchRecord u = left.get(i).updated();
                                m.put(it.key(), Codec.encode(u));
                                leaving(u).ifPresent(l -> {
                                    m.delete(Codec.laneKey(l));
                                    leaves.add(l);
                                });
                            } else {
                                all = false;
                            }
                            left.remove(i);
                            break;
                        }
                    }
                }
            }
            all &= left.isEmpty(); // a branch not stored is an update that lost, as updateBranch answers
            GlobalTransaction next = null;
            boolean sync = false;
            if (all) {
                GlobalTransaction stored = readGlobal(expected.gid());
                if (stored != null && stored.status() == expected.status() && stored.version() == expected.version()) {
                    next = updated.withVersion(expected.version() + 1);
                    sync = addGlobal(m, stored, next);
                }
            }
            if (m.isEmpty()) {
                return Optional.empty();
            }
            writer.write(sync ? m.synced() : m.lazy());
            leaves.forEach(lanes::remove);
            if (next == null) {
                return Optional.empty();
            }
            indexDue(next);
            return Optional.of(next);
        } catch (RocksDBException e) {
            throw failure("record a round of " + expected.gid() + " -> " + updated.status(), e);
        } finally {
            lock.unlock();
            leave();
        }
    }

    /** A delivered keyed message leaves its lane in the same write that records it delivered. */
    private Optional<LaneEntry> leaving(BranchRecord updated) {
        return !updated.status().isFinal() || updated.lane() == null
                ? Optional.empty() : lanes.find(updated.lane(), updated.gid(), updated.branchId());
    }

    @Override
    public boolean updateBranch(BranchRecord expected, BranchRecord updated) {
        expected.status().checkMoveTo(updated.status(), expected.gid(), expected.branchId());
        enter("update a branch of", expected.gid());
        ReentrantLock lock = lock(expected.gid());
        try {
            byte[] prefix = Codec.branchPrefix(expected.gid());
            try (RocksIterator it = db.newIterator()) {
                for (it.seek(prefix); it.isValid() && Codec.startsWith(it.key(), prefix); it.next()) {
                    BranchRecord b = Codec.branch(it.value());
                    if (b.branchId().equals(expected.branchId())) {
                        if (b.status() != expected.status() || b.attempts() != expected.attempts()) {
                            return false;
                        }
                        Optional<LaneEntry> leaves = leaving(updated);
                        Mutation.Builder m = Mutation.builder("update branch " + expected.branchId() + " of "
                                + expected.gid()).put(it.key(), Codec.encode(updated));
                        leaves.ifPresent(e -> m.delete(Codec.laneKey(e)));
                        writer.write(m.lazy());
                        leaves.ifPresent(lanes::remove);
                        return true;
                    }
                }
            }
            return false;
        } finally {
            lock.unlock();
            leave();
        }
    }

    @Override
    public List<GlobalTransaction> list(GlobalStatus status, String afterGid, int limit) {
        enter("list", String.valueOf(status));
        try {
            List<GlobalTransaction> out = new ArrayList<>();
            if (status != null) {
                for (String gid : gidsWithStatus(status, afterGid, limit)) {
                    GlobalTransaction tx = readGlobal(gid);
                    if (tx != null) {
                        out.add(tx);
                    }
                }
                return out;
            }
            byte[] prefix = Codec.bytes("g/");
            try (RocksIterator it = db.newIterator()) {
                it.seek(afterGid == null ? prefix : Codec.bytes("g/" + afterGid + "\u0000"));
                for (; it.isValid() && Codec.startsWith(it.key(), prefix) && out.size() < limit; it.next()) {
                    out.add(Codec.global(it.value()));
                }
            }
            return out;
        } catch (RocksDBException e) {
            throw failure("list " + status, e);
        } finally {
            leave();
        }
    }

    private List<String> gidsWithStatus(GlobalStatus status, String afterGid, int limit) {
        byte[] prefix = Codec.statusPrefix(status.name());
        List<String> out = new ArrayList<>();
        try (RocksIterator it = db.newIterator()) {
            it.seek(afterGid == null ? prefix : Codec.bytes("s/" + status.name() + "/" + afterGid + "\u0000"));
            for (; it.isValid() && Codec.startsWith(it.key(), prefix) && out.size() < limit; it.next()) {
                out.add(Codec.gidOfStatusKey(it.key(), prefix.length));
            }
        }
        return out;
    }

    @Override
    public List<GlobalTransaction> claimDue(String owner, Instant now, Instant leaseUntil, int limit) {
        enter("claim due transactions for", owner);
        List<GlobalTransaction> out = new ArrayList<>();
        try {
            for (String gid : due.dueAt(now)) {
                if (out.size() >= limit) {
                    break;
                }
                ReentrantLock lock = lock(gid);
                try {
                    GlobalTransaction tx = readGlobal(gid);
                    if (tx == null || tx.status().isFinal() || tx.nextAttemptAt() == null
                            || tx.nextAttemptAt().isAfter(now)) {
                        continue;
                    }
                    if (tx.isLeasedAt(now) && !owner.equals(tx.owner())) {
                        continue;
                    }
                    GlobalTransaction leased = tx.leasedTo(owner, leaseUntil, now).withVersion(tx.version() + 1);
                    // A lease need not survive a crash: losing it only lets another claim come sooner.
                    writer.write(Mutation.builder("lease " + gid + " to " + owner)
                            .put(Codec.globalKey(gid), Codec.encode(leased)).lazy());
                    out.add(leased);
                } finally {
                    lock.unlock();
                }
            }
            return out;
        } catch (RocksDBException e) {
            throw failure("claim due transactions for " + owner, e);
        } finally {
            leave();
        }
    }

    @Override
    public int releaseLeases(String owner, Instant now) {
        enter("release the leases of", owner);
        try {
            return release(owner, now);
        } finally {
            leave();
        }
    }

    private int release(String owner, Instant now) {
        int released = 0;
        for (String gid : due.all()) {
            ReentrantLock lock = lock(gid);
            try {
                GlobalTransaction tx = readGlobal(gid);
                if (tx == null || tx.status().isFinal() || !owner.equals(tx.owner())) {
                    continue;
                }
                Instant next = tx.status() == GlobalStatus.ACTIVE ? tx.nextAttemptAt() : now;
                GlobalTransaction free = new GlobalTransaction(tx.gid(), tx.pattern(), tx.status(), tx.reason(),
                        tx.createdAt(), tx.updatedAt(), tx.timeoutAt(), next, null, null, tx.version() + 1);
                write(tx, free, List.of());
                released++;
            } catch (RocksDBException e) {
                throw failure("release the lease of " + gid, e);
            } finally {
                lock.unlock();
            }
        }
        return released;
    }

    @Override
    public long countUnfinished() {
        return due.size();
    }

    @Override
    public Optional<StoreStats> stats() {
        return Optional.of(writer.stats());
    }

    @Override
    public String name() {
        return "embedded";
    }

    private GlobalTransaction readGlobal(String gid) throws RocksDBException {
        byte[] v = db.get(Codec.globalKey(gid));
        return v == null ? null : Codec.global(v);
    }

    private ReentrantLock lock(String gid) {
        ReentrantLock l = stripes[(gid.hashCode() & 0x7fffffff) % STRIPES];
        l.lock();
        return l;
    }

    private IllegalStateException failure(String what, RocksDBException e) {
        return new IllegalStateException("embedded store could not " + what + ": " + e.getMessage(), e);
    }

    /**
     * Admits one operation, or refuses it once close() has begun. Paired with {@link #leave} in a finally block. The
     * count goes up before the flag is read and close() sets the flag before it reads the count, so either the
     * operation sees the store closing or close() sees the operation and waits for it.
     */
    private void enter(String what, String subject) {
        inside.incrementAndGet();
        if (closing) {
            inside.decrementAndGet();
            throw new StoreClosedException("embedded store in " + config.directory() + " is closed: cannot " + what
                    + " " + subject);
        }
    }

    private void leave() {
        inside.decrementAndGet();
    }

    /** For tests: writes queued for the writer and not yet taken. */
    int queuedWrites() {
        return writer.queued();
    }

    /** For tests: whether close() has begun. */
    boolean isClosing() {
        return closing;
    }

    /**
     * Refuses new operations, lets those in flight finish (their writes are made: the writer still runs), drains the
     * writer, syncs the WAL and closes the database. If something is still inside after {@code closeWait}, the
     * database is left open for the process exit to release: freeing it under a running native call would crash.
     */
    @Override
    public synchronized void close() {
        if (closing) {
            return;
        }
        closing = true;
        long deadline = System.nanoTime() + config.closeWait().toNanos();
        boolean interrupted = false;
        while (inside.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                interrupted = true; // finish closing first: a half-closed store helps nobody
            }
        }
        boolean drained = inside.get() == 0;
        try {
            drained &= writer.close(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        } catch (InterruptedException e) {
            interrupted = true;
            drained = false;
        }
        if (!drained) {
            log.error("embedded store in {}: {} operations still running after {}; leaving the database open for the"
                    + " process exit to release", config.directory(), inside.get(), config.closeWait());
        } else {
            try {
                db.syncWal();
            } catch (RocksDBException e) {
                log.warn("final WAL sync failed", e);
            }
            db.close();
            options.close();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
