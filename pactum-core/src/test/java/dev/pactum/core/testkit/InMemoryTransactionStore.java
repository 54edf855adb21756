package dev.pactum.core.testkit;

import dev.pactum.api.GlobalStatus;
import dev.pactum.api.IllegalTransitionException;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.spi.AddBranchResult;
import dev.pactum.core.spi.BeginChecks;
import dev.pactum.core.spi.BeginResult;
import dev.pactum.core.spi.LaneEntry;
import dev.pactum.core.spi.LaneIndex;
import dev.pactum.core.spi.TransactionStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link TransactionStore} in memory, for tests of every module and for the simulation. It passes the same
 * {@code TransactionStoreContract} as the real stores: compare-and-set on status and version, branches only while
 * the required status holds (bumping the version), claims by lease (bumping the version), moves checked against the
 * tables of {@link GlobalStatus} and {@code BranchStatus} as the embedded and JDBC stores check them.
 *
 * <p>Thread-safe by one lock: simple, and no test needs more.
 *
 * <p>Durability. {@link Durability#ALL_SYNCED} keeps every write, as the JDBC stores do (each call commits).
 * {@link Durability#LAZY_AS_DOCUMENTED} behaves like the embedded store: {@link #updateBranch}, {@link #claimDue}
 * and a {@link #compareAndSet} to XA's PREPARING are not synced, every other write is, and a synced write makes
 * everything written before it durable too (one sequential log). {@link #crash()} then loses whatever was written since the last synced write, as a machine crash
 * would; {@link #findDurable} answers from what would survive.
 *
 * <p>An {@link Observer} sees every write and every refused move, so a test can validate each status change on its
 * own (the simulation checks invariant 7 there).
 */
public final class InMemoryTransactionStore implements TransactionStore {

    public enum Durability { ALL_SYNCED, LAZY_AS_DOCUMENTED }

    /** Sees every change as it is stored; called under the store's lock, so it must not call the store back. */
    public interface Observer {
        /** {@code before} is null for a new transaction. */
        default void globalWritten(GlobalTransaction before, GlobalTransaction after, boolean synced) {
        }

        /** {@code before} is null for a new branch. */
        default void branchWritten(BranchRecord before, BranchRecord after, boolean synced) {
        }

        /** A compare-and-set or branch update whose move the table forbids; it is refused (thrown) as well. */
        default void refused(IllegalTransitionException e) {
        }
    }

    /** One consistent copy of everything stored; the records are immutable, so copying the maps is enough. */
    private static final class State {
        final TreeMap<String, GlobalTransaction> globals;
        final Map<String, List<BranchRecord>> branches;
        final LaneIndex lanes;

        State() {
            this(new TreeMap<>(), new HashMap<>(), new LaneIndex());
        }

        State(TreeMap<String, GlobalTransaction> globals, Map<String, List<BranchRecord>> branches, LaneIndex lanes) {
            this.globals = globals;
            this.branches = branches;
            this.lanes = lanes;
        }

        State copy() {
            Map<String, List<BranchRecord>> b = new HashMap<>();
            branches.forEach((gid, list) -> b.put(gid, new ArrayList<>(list)));
            return new State(new TreeMap<>(globals), b, lanes.copy());
        }
    }

    private final Object lock = new Object();
    private final Durability durability;
    private final Observer observer;
    private State live = new State();
    /** What survives {@link #crash()}; the same object as {@link #live} when every write is synced. */
    private State durable = live;
    private boolean closed;

    public InMemoryTransactionStore() {
        this(Durability.ALL_SYNCED, new Observer() {
        });
    }

    public InMemoryTransactionStore(Durability durability, Observer observer) {
        this.durability = durability;
        this.observer = observer;
    }

    @Override
    public BeginResult begin(GlobalTransaction tx, List<BranchRecord> branches) {
        BeginChecks.check(tx, branches);
        synchronized (lock) {
            checkOpen();
            GlobalTransaction existing = live.globals.get(tx.gid());
            if (existing != null) {
                return new BeginResult(existing, false);
            }
            live.globals.put(tx.gid(), tx);
            observer.globalWritten(null, tx, true);
            if (!branches.isEmpty()) {
                live.branches.put(tx.gid(), new ArrayList<>(branches));
                for (BranchRecord b : branches) {
                    observer.branchWritten(null, b, true);
                }
            }
            synced();
            return new BeginResult(tx, true);
        }
    }

    @Override
    public Optional<GlobalTransaction> find(String gid) {
        synchronized (lock) {
            checkOpen();
            return Optional.ofNullable(live.globals.get(gid));
        }
    }

    /** The transaction as it would be after {@link #crash()}: what a participant may rely on having been recorded. */
    public Optional<GlobalTransaction> findDurable(String gid) {
        synchronized (lock) {
            return Optional.ofNullable(durable.globals.get(gid));
        }
    }

    /** The branches as they would be after {@link #crash()}. */
    public List<BranchRecord> branchesDurable(String gid) {
        synchronized (lock) {
            return List.copyOf(durable.branches.getOrDefault(gid, List.of()));
        }
    }

    @Override
    public List<BranchRecord> branches(String gid) {
        synchronized (lock) {
            checkOpen();
            return List.copyOf(live.branches.getOrDefault(gid, List.of()));
        }
    }

    @Override
    public AddBranchResult addBranch(BranchRecord branch, GlobalStatus requiredStatus) {
        synchronized (lock) {
            checkOpen();
            GlobalTransaction tx = live.globals.get(branch.gid());
            if (tx == null) {
                return new AddBranchResult.NoSuchTransaction();
            }
            if (tx.status() != requiredStatus) {
                return new AddBranchResult.WrongStatus(tx.status());
            }
            List<BranchRecord> list = live.branches.computeIfAbsent(branch.gid(), g -> new ArrayList<>());
            for (BranchRecord b : list) {
                if (b.branchId().equals(branch.branchId())) {
                    return new AddBranchResult.Duplicate(b);
                }
            }
            list.add(branch);
            GlobalTransaction bumped = tx.withVersion(tx.version() + 1);
            live.globals.put(tx.gid(), bumped);
            observer.branchWritten(null, branch, true);
            observer.globalWritten(tx, bumped, true);
            synced();
            return new AddBranchResult.Added(branch);
        }
    }

    @Override
    public Optional<GlobalTransaction> compareAndSet(GlobalTransaction expected, GlobalTransaction updated) {
        return compareAndSet(expected, updated, List.of());
    }

    @Override
    public Optional<LaneEntry> laneHead(String lane) {
        synchronized (lock) {
            checkOpen();
            return live.lanes.head(lane);
        }
    }

    @Override
    public Optional<GlobalTransaction> compareAndSet(GlobalTransaction expected, GlobalTransaction updated,
                                                     List<BranchRecord> ordered) {
        if (!expected.gid().equals(updated.gid())) {
            throw new IllegalArgumentException("compareAndSet across transactions: " + expected.gid() + " vs "
                    + updated.gid());
        }
        synchronized (lock) {
            checkOpen();
            checkMove(() -> expected.status().checkMoveTo(updated.status(), expected.gid()));
            GlobalTransaction stored = live.globals.get(expected.gid());
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
            for (BranchRecord b : ordered) {
                live.lanes.append(b.lane(), b.gid(), b.branchId());
            }
            live.globals.put(next.gid(), next);
            // As the embedded store: a move to PREPARING waits for the next synced write (the vote's decision).
            boolean sync = durability == Durability.ALL_SYNCED || next.status() != GlobalStatus.PREPARING
                    || stored.status() == GlobalStatus.PREPARING;
            observer.globalWritten(stored, next, sync);
            if (sync) {
                synced();
            }
            return Optional.of(next);
        }
    }

    @Override
    public boolean updateBranch(BranchRecord expected, BranchRecord updated) {
        synchronized (lock) {
            checkOpen();
            checkMove(() -> expected.status().checkMoveTo(updated.status(), expected.gid(), expected.branchId()));
            List<BranchRecord> list = live.branches.get(expected.gid());
            if (list == null) {
                return false;
            }
            for (int i = 0; i < list.size(); i++) {
                BranchRecord b = list.get(i);
                if (b.branchId().equals(expected.branchId())) {
                    if (b.status() != expected.status() || b.attempts() != expected.attempts()) {
                        return false;
                    }
                    list.set(i, updated);
                    if (updated.status().isFinal() && updated.lane() != null) {
                        live.lanes.find(updated.lane(), updated.gid(), updated.branchId()).ifPresent(live.lanes::remove);
                    }
                    observer.branchWritten(b, updated, durability == Durability.ALL_SYNCED);
                    return true;
                }
            }
            return false;
        }
    }

    @Override
    public List<GlobalTransaction> list(GlobalStatus status, String afterGid, int limit) {
        synchronized (lock) {
            checkOpen();
            List<GlobalTransaction> out = new ArrayList<>();
            Map<String, GlobalTransaction> tail = afterGid == null ? live.globals : live.globals.tailMap(afterGid, false);
            for (GlobalTransaction tx : tail.values()) {
                if (out.size() >= limit) {
                    break;
                }
                if (status == null || tx.status() == status) {
                    out.add(tx);
                }
            }
            return out;
        }
    }

    /** Due ones in order of due time, then gid: deterministic, as the simulation needs (the SPI leaves it open). */
    @Override
    public List<GlobalTransaction> claimDue(String owner, Instant now, Instant leaseUntil, int limit) {
        synchronized (lock) {
            checkOpen();
            List<GlobalTransaction> due = new ArrayList<>();
            for (GlobalTransaction tx : live.globals.values()) {
                if (!tx.status().isFinal() && tx.nextAttemptAt() != null && !tx.nextAttemptAt().isAfter(now)
                        && (!tx.isLeasedAt(now) || owner.equals(tx.owner()))) {
                    due.add(tx);
                }
            }
            due.sort(Comparator.comparing(GlobalTransaction::nextAttemptAt).thenComparing(GlobalTransaction::gid));
            List<GlobalTransaction> out = new ArrayList<>();
            for (GlobalTransaction tx : due.subList(0, Math.min(limit, due.size()))) {
                GlobalTransaction leased = tx.leasedTo(owner, leaseUntil, now).withVersion(tx.version() + 1);
                live.globals.put(tx.gid(), leased);
                observer.globalWritten(tx, leased, durability == Durability.ALL_SYNCED);
                out.add(leased);
            }
            return out;
        }
    }

    @Override
    public int releaseLeases(String owner, Instant now) {
        synchronized (lock) {
            checkOpen();
            int released = 0;
            for (GlobalTransaction tx : List.copyOf(live.globals.values())) {
                if (tx.status().isFinal() || !owner.equals(tx.owner())) {
                    continue;
                }
                Instant next = tx.status() == GlobalStatus.ACTIVE ? tx.nextAttemptAt() : now;
                GlobalTransaction free = new GlobalTransaction(tx.gid(), tx.pattern(), tx.status(), tx.reason(),
                        tx.createdAt(), tx.updatedAt(), tx.timeoutAt(), next, null, null, tx.version() + 1);
                live.globals.put(tx.gid(), free);
                observer.globalWritten(tx, free, true);
                released++;
            }
            if (released > 0) {
                synced();
            }
            return released;
        }
    }

    @Override
    public long countUnfinished() {
        synchronized (lock) {
            checkOpen();
            return live.globals.values().stream().filter(t -> !t.status().isFinal()).count();
        }
    }

    @Override
    public String name() {
        return "in-memory";
    }

    /** Transactions PREPARING now whose durable copy is not: what a {@link #crash()} now turns back to ACTIVE. */
    public int preparingNotDurable() {
        synchronized (lock) {
            int n = 0;
            for (GlobalTransaction tx : live.globals.values()) {
                GlobalTransaction d = durable.globals.get(tx.gid());
                if (tx.status() == GlobalStatus.PREPARING && d != null && d.status() != GlobalStatus.PREPARING) {
                    n++;
                }
            }
            return n;
        }
    }

    /**
     * A machine crash: everything written since the last synced write is lost (nothing, when every write is
     * synced). The store stays open, as the files of a real store stay on disk for the restarted process.
     */
    public void crash() {
        synchronized (lock) {
            if (durability == Durability.LAZY_AS_DOCUMENTED) {
                live = durable.copy();
            }
        }
    }

    /**
     * Closes this handle. {@link #reopen()} gives a new handle on the same data, as a restarted process opening the
     * same directory would.
     */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
        }
    }

    /** A new open handle on this store's data (what survived, as after a clean close: everything). */
    public InMemoryTransactionStore reopen() {
        synchronized (lock) {
            InMemoryTransactionStore again = new InMemoryTransactionStore(durability, observer);
            again.live = live.copy();
            again.durable = durability == Durability.ALL_SYNCED ? again.live : again.live.copy();
            return again;
        }
    }

    private void synced() {
        if (durability == Durability.LAZY_AS_DOCUMENTED) {
            durable = live.copy();
        }
    }

    private void checkMove(Runnable check) {
        try {
            check.run();
        } catch (IllegalTransitionException e) {
            observer.refused(e);
            throw e;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("in-memory store is closed");
        }
    }
}
