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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The default store: RocksDB in a local directory.
 *
 * <p>Why RocksDB: a write with {@code sync=true} is on disk (WAL fsync'd) when it returns. Measured numbers are in
 * docs/store-embedded.md. Every write goes through one {@link GroupCommitWriter}: callers queue a {@link Mutation},
 * the writer writes all that is queued as one batch with one fsync. A synced write's caller waits for it; an unsynced
 * one's does not, and every later call on the same gid waits for it instead (read-your-writes). The unfinished
 * transactions' records and branches are also held in memory ({@link LiveTransactions}) for the request path's reads.
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
    /** Unfinished transactions held in memory at most (records and branches); the rest are read from RocksDB. */
    static final int LIVE_LIMIT = 10_000;
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
    /** The unfinished transactions' records and branches, written through: the request path reads them here. */
    private final LiveTransactions live;
    /**
     * Every write, synced or not, goes through this one thread. A virtual thread that called into RocksDB's write
     * path would stay pinned to its carrier while it waits there, for an fsync if a synced write is ahead of it;
     * with one carrier per core, two such waits stall every virtual thread of the process. Queued to the writer,
     * the caller unmounts while it waits.
     */
    private final GroupCommitWriter writer;
    /**
     * Lazy writes queued to the writer without their caller waiting, by gid, until the writer has made them (or
     * refused them). Every later operation on the same gid waits for its entry first: a read sees what was
     * written before it (read-your-writes), a compare-and-set reads the value it compares against, and nothing
     * anyone saw can be lost by a crash of the process alone. Holds only writes in flight: a few per transaction
     * being driven, gone within a group's time.
     */
    private final ConcurrentHashMap<String, PendingWrite> unapplied = new ConcurrentHashMap<>();
    /** The detached write queued last: once it is made, every earlier one is (the writer keeps queue order). */
    private volatile PendingWrite lastDetached;
    /** Operations inside the database right now; close() waits for them to leave before it frees the handle. */
    private final AtomicInteger inside = new AtomicInteger();
    private volatile boolean closing;

    private EmbeddedTransactionStore(EmbeddedStoreConfig config, GroupCommitWriter.BeforeGroup beforeGroup,
                                     int liveLimit) throws RocksDBException {
        this.config = config;
        this.live = new LiveTransactions(liveLimit);
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
        return open(config, beforeGroup, LIVE_LIMIT);
    }

    /** For tests: {@code liveLimit} 0 reads every record from RocksDB, as a store whose memory share is full. */
    static EmbeddedTransactionStore open(EmbeddedStoreConfig config, GroupCommitWriter.BeforeGroup beforeGroup,
                                         int liveLimit) {
        try {
            Files.createDirectories(config.directory());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the store directory " + config.directory(), e);
        }
        try {
            EmbeddedTransactionStore s = new EmbeddedTransactionStore(config, beforeGroup, liveLimit);
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
                        if (live.hasRoom()) {
                            live.add(tx, readBranches(gid));
                        }
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
            GlobalTransaction existing = readUnderLock(tx.gid());
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
            live.add(tx, branches);
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
            settle(gid);
            LiveTransactions.Entry e = live.get(gid);
            return Optional.ofNullable(e != null ? e.tx() : readGlobal(gid));
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
            settle(gid);
            LiveTransactions.Entry e = live.get(gid);
            return e != null ? e.branches() : readBranches(gid);
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
            GlobalTransaction tx = readUnderLock(branch.gid());
            if (tx == null) {
                return new AddBranchResult.NoSuchTransaction();
            }
            if (tx.status() != requiredStatus) {
                return new AddBranchResult.WrongStatus(tx.status());
            }
            List<BranchRecord> existing = branchesUnderLock(branch.gid());
            for (BranchRecord b : existing) {
                if (b.branchId().equals(branch.branchId())) {
                    return new AddBranchResult.Duplicate(b);
                }
            }
            // Synced: the client calls the branch's Try once this returns, and a lost registration would leave a
            // Try that nobody cancels.
            GlobalTransaction bumped = tx.withVersion(tx.version() + 1);
            writer.write(Mutation.builder("add branch " + branch.branchId() + " to " + branch.gid())
                    .put(Codec.branchKey(branch.gid(), existing.size()), Codec.encode(branch))
                    .put(Codec.globalKey(tx.gid()), Codec.encode(bumped))
                    .synced());
            live.branchAdded(bumped, branch);
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
            GlobalTransaction stored = readUnderLock(expected.gid());
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
        if (addGlobal(m, stored, next)) {
            writer.write(m.synced());
        } else if (entries.isEmpty()) {
            writeDetached(next.gid(), m.lazy());
        } else {
            writer.write(m.lazy()); // lane keys: never ahead of what is on RocksDB's side (see writeDetached)
        }
        indexDue(next);
        live.moved(next);
    }

    /** Adds the record and its status index to {@code m}; true if the write must be synced. */
    private static boolean addGlobal(Mutation.Builder m, GlobalTransaction stored, GlobalTransaction next) {
        m.put(Codec.globalKey(next.gid()), Codec.encode(next));
        if (stored.status() != next.status()) {
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
            String gid = expected.gid();
            List<BranchRecord> current = branchesUnderLock(gid);
            Mutation.Builder m = Mutation.builder("round of " + gid + " -> " + updated.status());
            List<LaneEntry> leaves = new ArrayList<>(1);
            int[] places = new int[updates.size()];
            BranchRecord[] recorded = new BranchRecord[updates.size()];
            int n = 0;
            boolean all = true;
            for (BranchUpdate u : updates) {
                int place = placeOf(current, u.expected().branchId());
                BranchRecord b = place < 0 ? null : current.get(place);
                boolean taken = false;
                for (int i = 0; i < n && !taken; i++) {
                    taken = places[i] == place;
                }
                if (b == null || taken || b.status() != u.expected().status()
                        || b.attempts() != u.expected().attempts()) {
                    all = false; // a branch not stored, or changed meanwhile, is an update that lost
                    continue;
                }
                m.put(Codec.branchKey(gid, place), Codec.encode(u.updated()));
                leaving(u.updated()).ifPresent(l -> {
                    m.delete(Codec.laneKey(l));
                    leaves.add(l);
                });
                places[n] = place;
                recorded[n++] = u.updated();
            }
            GlobalTransaction next = null;
            boolean sync = false;
            if (all) {
                GlobalTransaction stored = readUnderLock(gid);
                if (stored != null && stored.status() == expected.status() && stored.version() == expected.version()) {
                    next = updated.withVersion(expected.version() + 1);
                    sync = addGlobal(m, stored, next);
                }
            }
            if (m.isEmpty()) {
                return Optional.empty();
            }
            if (sync) {
                writer.write(m.synced());
            } else if (leaves.isEmpty()) {
                writeDetached(expected.gid(), m.lazy());
            } else {
                writer.write(m.lazy()); // a message leaves its lane: see writeDetached
            }
            leaves.forEach(lanes::remove);
            live.branchesUpdated(gid, Arrays.copyOf(places, n), Arrays.copyOf(recorded, n), next);
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
            String gid = expected.gid();
            List<BranchRecord> current = branchesUnderLock(gid);
            int place = placeOf(current, expected.branchId());
            if (place < 0) {
                return false;
            }
            BranchRecord b = current.get(place);
            if (b.status() != expected.status() || b.attempts() != expected.attempts()) {
                return false;
            }
            Optional<LaneEntry> leaves = leaving(updated);
            Mutation.Builder m = Mutation.builder("update branch " + expected.branchId() + " of " + gid)
                    .put(Codec.branchKey(gid, place), Codec.encode(updated));
            leaves.ifPresent(e -> m.delete(Codec.laneKey(e)));
            if (leaves.isEmpty()) {
                writeDetached(gid, m.lazy());
            } else {
                writer.write(m.lazy()); // a message leaves its lane: see writeDetached
            }
            leaves.ifPresent(lanes::remove);
            live.branchesUpdated(gid, new int[] {place}, new BranchRecord[] {updated}, null);
            return true;
        } finally {
            lock.unlock();
            leave();
        }
    }

    @Override
    public List<GlobalTransaction> list(GlobalStatus status, String afterGid, int limit) {
        enter("list", String.valueOf(status));
        try {
            PendingWrite last = lastDetached;
            if (last != null) {
                awaitWritten(last, "list " + status); // the status index of every write before this list
            }
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
                    GlobalTransaction tx = readUnderLock(gid);
                    if (tx == null || tx.status().isFinal() || tx.nextAttemptAt() == null
                            || tx.nextAttemptAt().isAfter(now)) {
                        continue;
                    }
                    if (tx.isLeasedAt(now) && !owner.equals(tx.owner())) {
                        continue;
                    }
                    GlobalTransaction leased = tx.leasedTo(owner, leaseUntil, now).withVersion(tx.version() + 1);
                    // A lease need not survive a crash: losing it only lets another claim come sooner.
                    writeDetached(gid, Mutation.builder("lease " + gid + " to " + owner)
                            .put(Codec.globalKey(gid), Codec.encode(leased)).lazy());
                    live.moved(leased);
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
                GlobalTransaction tx = readUnderLock(gid);
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

    /**
     * A lazy write of {@code gid}'s keys, queued without waiting for the writer: nobody needs it on disk, and the
     * caller's park and the writer's wake-up were a hand-off on every phase-2 round. Called under the gid's stripe
     * lock, so no other write of the gid comes between the entry and the queue. Writes that take a message out of
     * its lane still wait: the next message of the lane goes out once this returns, and a crash of the process must
     * not bring the earlier one back ahead of it.
     *
     * <p>What a caller gives up: if the writer then fails or the store is closed under it, the write is lost as a
     * machine crash would lose it (the store then refuses every write, so nothing is computed on top of it), and
     * a kill -9 between this return and the writer's turn (well under a millisecond at rest) loses it the same way;
     * a restart repairs both by driving the transaction again from its synced decision.
     */
    private void writeDetached(String gid, Mutation m) {
        PendingWrite w = PendingWrite.detached(m, done -> unapplied.remove(gid, done));
        unapplied.put(gid, w); // before the queue: once the caller returns, every later operation finds it
        lastDetached = w;
        writer.writeDetached(w);
    }

    /** Waits until the detached write of {@code gid} still in flight, if any, is made (read-your-writes). */
    private void settle(String gid) {
        PendingWrite w = unapplied.get(gid);
        if (w != null) {
            awaitWritten(w, gid);
        }
    }

    /**
     * Waits for a detached write, deaf to interrupts (it is microseconds to a group's fsync away) but for at most
     * {@code closeWait}; the interrupt flag is set again before it returns.
     */
    private void awaitWritten(PendingWrite w, String what) {
        long deadline = System.nanoTime() + config.closeWait().toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (w.awaitFinal(Math.max(0, deadline - System.nanoTime()))) {
                        return;
                    }
                    throw new IllegalStateException("embedded store in " + config.directory() + ": "
                            + w.mutation.what() + " still not written after " + config.closeWait() + ", needed by "
                            + what);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * The stored record, for a caller holding the gid's stripe lock: the live entry when held (every write of the gid
     * updates it under this lock, so it is the latest accepted), else RocksDB once the gid's writes in flight are made.
     */
    private GlobalTransaction readUnderLock(String gid) throws RocksDBException {
        LiveTransactions.Entry e = live.get(gid);
        if (e != null) {
            return e.tx();
        }
        settle(gid);
        return readGlobal(gid);
    }

    /** The branches, for a caller holding the gid's stripe lock (as {@link #readUnderLock}). */
    private List<BranchRecord> branchesUnderLock(String gid) {
        LiveTransactions.Entry e = live.get(gid);
        if (e != null) {
            return e.branches();
        }
        settle(gid);
        return readBranches(gid);
    }

    /** A branch's place in registration order, which is also the seq of its key; -1 if it is not there. */
    private static int placeOf(List<BranchRecord> branches, String branchId) {
        for (int i = 0; i < branches.size(); i++) {
            if (branches.get(i).branchId().equals(branchId)) {
                return i;
            }
        }
        return -1;
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
