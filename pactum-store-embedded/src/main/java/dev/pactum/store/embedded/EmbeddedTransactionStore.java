package dev.pactum.store.embedded;

import dev.pactum.api.GlobalStatus;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.spi.AddBranchResult;
import dev.pactum.core.spi.BeginResult;
import dev.pactum.core.spi.TransactionStore;
import org.rocksdb.CompressionType;
import org.rocksdb.Options;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The default store: RocksDB in a local directory.
 *
 * <p>Why RocksDB: a write with {@code sync=true} is on disk (WAL fsync'd) when it returns, and concurrent
 * writers are batched by RocksDB's write-group leader into one WAL append and one fsync: group commit without
 * code of ours. Measured numbers are in docs/store-embedded.md.
 *
 * <p>Durability: begin, addBranch and every status change are synced writes. Branch acknowledgements and
 * leases are not: the WAL is sequential, so the next synced write persists them too, and losing one in a
 * crash only makes the coordinator repeat an idempotent call or wait for nothing.
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
    private final WriteOptions durable;
    private final WriteOptions lazy;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final DueIndex due = new DueIndex();
    /**
     * Synced writes run on platform threads. A virtual thread that calls into RocksDB's native code stays pinned
     * to its carrier for the whole fsync; with one carrier per core, two such writes would stall every other
     * virtual thread of the process (HTTP requests included) and leave RocksDB no concurrent writers to group.
     * Handing the write over lets the virtual thread unmount while it waits, and gives RocksDB up to
     * {@link #SYNC_WRITERS} writers to batch into one fsync.
     */
    private static final int SYNC_WRITERS = 64;
    private final ExecutorService syncWriters = Executors.newFixedThreadPool(SYNC_WRITERS,
            Thread.ofPlatform().daemon().name("pactum-store-sync-", 0).factory());

    private EmbeddedTransactionStore(EmbeddedStoreConfig config) throws RocksDBException {
        this.config = config;
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
        options = new Options().setCreateIfMissing(true)
                .setCompressionType(CompressionType.LZ4_COMPRESSION)
                // Concurrent memtable writes let the write group apply its batches in parallel. (Pipelined writes
                // measured slower here: 21.7k vs 29.1k synced writes/s from 32 threads.)
                .setAllowConcurrentMemtableWrite(true)
                // Followers of a write group would otherwise spin for up to 100 us before sleeping: on two cores
                // that spinning takes CPU from the HTTP threads that produce the next writes.
                .setEnableWriteThreadAdaptiveYield(false);
        db = RocksDB.open(options, config.directory().toString());
        durable = new WriteOptions().setSync(config.syncWrites());
        lazy = new WriteOptions().setSync(false);
    }

    /** Opens (or creates) the store in the configured directory and rebuilds the due index. */
    public static EmbeddedTransactionStore open(EmbeddedStoreConfig config) {
        try {
            Files.createDirectories(config.directory());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the store directory " + config.directory(), e);
        }
        try {
            EmbeddedTransactionStore s = new EmbeddedTransactionStore(config);
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
        log.info("embedded store opened in {}: {} unfinished transactions", config.directory(), due.size());
    }

    @Override
    public BeginResult begin(GlobalTransaction tx) {
        ReentrantLock lock = lock(tx.gid());
        try {
            GlobalTransaction existing = readGlobal(tx.gid());
            if (existing != null) {
                return new BeginResult(existing, false);
            }
            try (WriteBatch batch = new WriteBatch()) {
                batch.put(Codec.globalKey(tx.gid()), Codec.encode(tx));
                batch.put(Codec.statusKey(tx.status().name(), tx.gid()), new byte[0]);
                writeDurable(batch);
            }
            due.put(tx.gid(), tx.nextAttemptAt());
            return new BeginResult(tx, true);
        } catch (RocksDBException e) {
            throw failure("begin " + tx.gid(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<GlobalTransaction> find(String gid) {
        try {
            return Optional.ofNullable(readGlobal(gid));
        } catch (RocksDBException e) {
            throw failure("find " + gid, e);
        }
    }

    @Override
    public List<BranchRecord> branches(String gid) {
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
        ReentrantLock lock = lock(branch.gid());
        try {
            GlobalTransaction tx = readGlobal(branch.gid());
            if (tx == null) {
                return new AddBranchResult.NoSuchTransaction();
            }
            if (tx.status() != requiredStatus) {
                return new AddBranchResult.WrongStatus(tx.status());
            }
            List<BranchRecord> existing = branches(branch.gid());
            for (BranchRecord b : existing) {
                if (b.branchId().equals(branch.branchId())) {
                    return new AddBranchResult.Duplicate(b);
                }
            }
            try (WriteBatch batch = new WriteBatch()) {
                batch.put(Codec.branchKey(branch.gid(), existing.size()), Codec.encode(branch));
                batch.put(Codec.globalKey(tx.gid()), Codec.encode(tx.withVersion(tx.version() + 1)));
                writeDurable(batch);
            }
            return new AddBranchResult.Added(branch);
        } catch (RocksDBException e) {
            throw failure("add branch " + branch.branchId() + " to " + branch.gid(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<GlobalTransaction> compareAndSet(GlobalTransaction expected, GlobalTransaction updated) {
        if (!expected.gid().equals(updated.gid())) {
            throw new IllegalArgumentException("compareAndSet across transactions: " + expected.gid() + " vs " + updated.gid());
        }
        expected.status().checkMoveTo(updated.status(), expected.gid());
        ReentrantLock lock = lock(expected.gid());
        try {
            GlobalTransaction stored = readGlobal(expected.gid());
            if (stored == null || stored.status() != expected.status() || stored.version() != expected.version()) {
                return Optional.empty();
            }
            GlobalTransaction next = updated.withVersion(expected.version() + 1);
            write(stored, next);
            return Optional.of(next);
        } catch (RocksDBException e) {
            throw failure("compare-and-set " + expected.gid() + " " + expected.status() + " -> " + updated.status(), e);
        } finally {
            lock.unlock();
        }
    }

    /** A synced write, on a platform thread when the caller is virtual (see {@link #syncWriters}). */
    private void writeDurable(WriteBatch batch) throws RocksDBException {
        if (!Thread.currentThread().isVirtual()) {
            db.write(durable, batch);
            return;
        }
        Future<?> f = syncWriters.submit(() -> {
            db.write(durable, batch);
            return null;
        });
        try {
            f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RocksDBException re) {
                throw re;
            }
            throw new IllegalStateException("synced write failed", e.getCause());
        } catch (InterruptedException e) {
            // The write may still complete; the caller cannot know, exactly as with a crash at this instant.
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a synced write", e);
        }
    }

    /** Writes a new version of a global record with its status index, and mirrors it in the due index. */
    private void write(GlobalTransaction stored, GlobalTransaction next) throws RocksDBException {
        try (WriteBatch batch = new WriteBatch()) {
            batch.put(Codec.globalKey(next.gid()), Codec.encode(next));
            if (stored.status() != next.status()) {
                batch.delete(Codec.statusKey(stored.status().name(), next.gid()));
                batch.put(Codec.statusKey(next.status().name(), next.gid()), new byte[0]);
            }
            writeDurable(batch);
        }
        if (next.status().isFinal()) {
            due.remove(next.gid());
        } else {
            due.put(next.gid(), next.nextAttemptAt());
        }
    }

    @Override
    public boolean updateBranch(BranchRecord expected, BranchRecord updated) {
        expected.status().checkMoveTo(updated.status(), expected.gid(), expected.branchId());
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
                        db.put(lazy, it.key(), Codec.encode(updated));
                        return true;
                    }
                }
            }
            return false;
        } catch (RocksDBException e) {
            throw failure("update branch " + expected.branchId() + " of " + expected.gid(), e);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<GlobalTransaction> list(GlobalStatus status, String afterGid, int limit) {
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
                    db.put(lazy, Codec.globalKey(gid), Codec.encode(leased));
                    out.add(leased);
                } finally {
                    lock.unlock();
                }
            }
            return out;
        } catch (RocksDBException e) {
            throw failure("claim due transactions for " + owner, e);
        }
    }

    @Override
    public int releaseLeases(String owner, Instant now) {
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
                write(tx, free);
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

    @Override
    public void close() {
        try {
            db.syncWal();
        } catch (RocksDBException e) {
            log.warn("final WAL sync failed", e);
        }
        syncWriters.shutdown();
        durable.close();
        lazy.close();
        db.close();
        options.close();
    }
}
