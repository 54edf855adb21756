package dev.pactum.core.spi;

import dev.pactum.api.GlobalStatus;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Where the coordinator keeps global transactions and their branches. Every implementation passes the same
 * contract suite ({@code TransactionStoreContract} in this module's test jar).
 *
 * <p>Durability: when {@link #begin}, {@link #addBranch} or a {@link #compareAndSet} that changes the status to a
 * decision or to PARKED returns, the write survives a crash of the process and of the machine (it has been
 * fsync'd or committed). Every write that any later call has seen survives a crash of the process alone (a store
 * may return from a lazy write below before making it, but then every later call on that transaction waits for it).
 * Every later call sees every write that returned (read-your-writes). Writes whose loss a restart repairs
 * by driving the transaction again may be lazier about a machine crash: {@link #updateBranch} (the branch is
 * called again, and the participant's barrier turns the call into a no-op), a {@code compareAndSet} to a final
 * status (the decision stays on disk, so phase 2 runs again), to the same status (a new schedule or lease) or
 * to XA's PREPARING (the transaction is found ACTIVE with all its branches and aborted at its timeout; a later
 * durable write, such as the vote's decision, makes every earlier write durable too), the leases of
 * {@link #claimDue} and {@link #releaseLeases}. docs/core.md, "What is durable when", has the table.
 *
 * <p>Concurrency: implementations are thread-safe; several coordinator processes may share a JDBC store.
 * Every status change is a compare-and-set, so two writers never both win.
 */
public interface TransactionStore extends AutoCloseable {

    /**
     * Whether a compare-and-set from {@code from} to {@code to} must survive a machine crash (see the durability
     * note above): a move to another non-final status must, except to XA's PREPARING, whose vote's decision (a
     * move that must) comes after it in the same sequential log; a final status and a same-status change (a
     * schedule, a lease) may be lost, since driving the transaction again rebuilds them. One rule, so every store
     * agrees.
     */
    static boolean mustSync(GlobalStatus from, GlobalStatus to) {
        return from != to && !to.isFinal() && to != GlobalStatus.PREPARING;
    }

    /** Stores a new ACTIVE transaction; if the gid is taken, answers with the stored one and changes nothing. */
    default BeginResult begin(GlobalTransaction tx) {
        return begin(tx, List.of());
    }

    /**
     * Stores a new ACTIVE transaction (version 0) together with its first branches, in registration order, in one
     * atomic and durable write: a client can begin and register in one call. If the gid is taken, answers with the
     * stored transaction and changes nothing (no branch is added). Every branch must belong to {@code tx}, be
     * REGISTERED and have an id of its own.
     */
    BeginResult begin(GlobalTransaction tx, List<BranchRecord> branches);

    Optional<GlobalTransaction> find(String gid);

    /** The branches of a transaction, in registration order. */
    List<BranchRecord> branches(String gid);

    /**
     * Adds a branch only while the global transaction is in {@code requiredStatus}, atomically with respect to
     * status changes: a branch is either added before a decision (and so is part of it) or refused.
     * Adding a branch increments the global transaction's version, so a decision computed from an older
     * branch list loses its compare-and-set and is made again with the new branch in view. When the transaction
     * is in the wrong status, that is the answer even if the branch id is also a duplicate.
     */
    AddBranchResult addBranch(BranchRecord branch, GlobalStatus requiredStatus);

    /**
     * Replaces {@code expected} by {@code updated} if the stored status and version still equal the expected
     * ones. Returns the stored value (version + 1) on success, empty if another writer got there first.
     * {@code updated.version()} is ignored: the store sets it.
     */
    Optional<GlobalTransaction> compareAndSet(GlobalTransaction expected, GlobalTransaction updated);

    /**
     * {@link #compareAndSet(GlobalTransaction, GlobalTransaction)}, and in the same atomic write (durable as the move
     * is) appends each branch of {@code ordered} (branches of this transaction with a {@link BranchRecord#lane()},
     * in this order) to the end of its lane: after every entry of that lane whose write came before, with a larger
     * {@code seq}. The engine passes them at the commit decision of keyed messages, so a lane holds its undelivered
     * messages in the order their commits were decided. An entry leaves its lane in the same write as
     * {@link #updateBranch} moves its branch to a final status. An empty {@code ordered} is a plain compare-and-set.
     */
    Optional<GlobalTransaction> compareAndSet(GlobalTransaction expected, GlobalTransaction updated,
                                              List<BranchRecord> ordered);

    /** The first entry of {@code lane} (the earliest decided of its undelivered branches), or empty. */
    Optional<LaneEntry> laneHead(String lane);

    /**
     * Replaces a branch if its stored status and attempt count still equal the expected ones. Does not change the
     * global transaction's version, so the driver's own compare-and-set after a round of calls still succeeds.
     * A branch moved to a final status leaves its lane, if it is in one, in the same write.
     */
    boolean updateBranch(BranchRecord expected, BranchRecord updated);

    /**
     * The end of a round of phase 2 in one call: each of {@code updates} (branches of {@code expected}'s transaction)
     * as {@link #updateBranch}, in order, then, if every one of them succeeded, {@link #compareAndSet}{@code
     * (expected, updated)}. Returns what the compare-and-set stored, or empty when a branch update or the
     * compare-and-set lost to another writer; the branch updates that succeeded stay written, as they would have
     * one by one. Each part is as durable as the call it stands for.
     *
     * <p>The default makes those calls one after the other. A store may do it all in one write: the embedded store
     * does, so that a round costs one hand-off to its writer instead of one per branch and one for the status.
     */
    default Optional<GlobalTransaction> updateBranchesAndSet(List<BranchUpdate> updates, GlobalTransaction expected,
                                                             GlobalTransaction updated) {
        boolean all = true;
        for (BranchUpdate u : updates) {
            all &= updateBranch(u.expected(), u.updated());
        }
        return all ? compareAndSet(expected, updated) : Optional.empty();
    }

    /** One page of transactions in {@code status} (all statuses when null), ordered by gid, after {@code afterGid}. */
    List<GlobalTransaction> list(GlobalStatus status, String afterGid, int limit);

    /**
     * Leases up to {@code limit} unfinished transactions whose {@code nextAttemptAt} has come, and whose lease is
     * free, expired or already {@code owner}'s, to {@code owner} until {@code leaseUntil}. Two callers never
     * receive the same transaction while a lease is valid. A lease whose {@code leaseUntil <= now} has expired.
     * The order of the answer is unspecified; each claim increments the version, which fences a former holder.
     */
    List<GlobalTransaction> claimDue(String owner, Instant now, Instant leaseUntil, int limit);

    /**
     * Gives up every lease {@code owner} holds on an unfinished transaction and makes the decided ones due at
     * {@code now} (ACTIVE ones keep their timeout as the next attempt). A coordinator calls it once when it starts,
     * before its worker runs: nothing of its own is in flight yet, so what it held before a crash is recovered at
     * once instead of after the lease. Returns how many transactions were released.
     */
    int releaseLeases(String owner, Instant now);

    /** Counts unfinished transactions, for metrics and the health page. */
    long countUnfinished();

    /**
     * What the store has written and forced to disk since it opened, if it counts that (the embedded store does;
     * a JDBC store leaves the fsyncs to its database and answers empty).
     */
    default Optional<StoreStats> stats() {
        return Optional.empty();
    }

    /** A short name for logs and metrics, such as "embedded" or "postgresql". */
    String name();

    @Override
    void close();
}
