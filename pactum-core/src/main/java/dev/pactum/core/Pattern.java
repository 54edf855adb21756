package dev.pactum.core;

import dev.pactum.api.BranchRequest;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.TxPattern;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;

import java.time.Instant;
import java.util.List;

/**
 * One transaction pattern (TCC, XA, ...), plugged into the engine: everything that differs between patterns lives
 * behind this interface, in one small class per pattern (DESIGN.md: one file per transaction type). The engine
 * ({@link CoordinatorService}, {@link TransactionDriver}, the recovery worker) knows no pattern by name.
 *
 * <p>A pattern never writes a status itself: it asks {@link Decisions}, the one path that checks a move against
 * {@link #table()}, persists it as a compare-and-set, counts it and logs it. See docs/engine.md.
 */
public interface Pattern {
    TxPattern id();

    /** The statuses this pattern uses and its legal moves between them. */
    StateTable table();

    /**
     * Validates a branch registration for this pattern and makes the record to store. Throws
     * {@code InvalidInputException} naming the field when the request is not a branch of this pattern; nothing has
     * been written then.
     */
    BranchRecord acceptBranch(String gid, BranchRequest request, Instant now);

    /** The status a submit moves an ACTIVE transaction to: COMMITTING (TCC) or PREPARING (XA). */
    GlobalStatus submitTarget();

    /**
     * Whether a submit at or after the transaction's timeout is refused and the transaction aborted (TCC, XA: the
     * timeout bounds how long branches may hold resources). A half message says no: its timeout only starts the
     * check-backs, and a producer whose local transaction committed must still be able to commit the message.
     */
    default boolean abortsAtTimeout() {
        return true;
    }

    /**
     * Runs, on the submitting request's thread, what must be done before the submit answers, starting from the
     * stored result of the submit (this node holds its lease) and its branches as stored (read before the submit's
     * compare-and-set, which would have failed had one been added since). XA votes here and returns the decided
     * transaction; TCC has nothing to do. Returns the stored transaction and its branches afterwards.
     */
    default Submitted afterSubmit(GlobalTransaction submitted, List<BranchRecord> branches) {
        return new Submitted(submitted, branches);
    }

    /** A transaction and its branches as stored after {@link #afterSubmit}: what the submit answers with. */
    record Submitted(GlobalTransaction tx, List<BranchRecord> branches) {
    }

    /**
     * The schedule of a transaction this node now holds the lease of has come, found by the driver right after a
     * decision or by the recovery worker: make one step. What a step is belongs to the pattern: an ACTIVE
     * transaction past its timeout is aborted (TCC, XA) or checked back (a half message); a decided one gets a round
     * of phase 2; XA presumes abort for one left PREPARING. Returns the stored transaction afterwards.
     */
    GlobalTransaction onDue(GlobalTransaction tx);

    /**
     * The branches of {@code tx} to append to their lanes when its commit is decided (the move to COMMITTING), in
     * this order; written atomically with the decision ({@code TransactionStore.compareAndSet} with lanes). MSG
     * answers its undelivered keyed messages, so that messages of one destination and key are delivered in the order
     * their commits were decided; every other pattern, none.
     */
    default List<BranchRecord> orderedAtCommit(GlobalTransaction tx) {
        return List.of();
    }
}
