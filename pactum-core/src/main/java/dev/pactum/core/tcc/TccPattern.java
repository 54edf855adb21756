package dev.pactum.core.tcc;

import dev.pactum.api.BranchOp;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.TxPattern;
import dev.pactum.core.ActiveTimeout;
import dev.pactum.core.BranchOperations;
import dev.pactum.core.Pattern;
import dev.pactum.core.PhaseTwoRound;
import dev.pactum.core.StateTable;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;

import java.time.Instant;
import java.util.List;

import static dev.pactum.api.GlobalStatus.ABORTED;
import static dev.pactum.api.GlobalStatus.ABORTING;
import static dev.pactum.api.GlobalStatus.ACTIVE;
import static dev.pactum.api.GlobalStatus.COMMITTED;
import static dev.pactum.api.GlobalStatus.COMMITTING;

/**
 * TCC: a submit records COMMITTING at once (the client has called every Try, after registering the branch, so
 * a Try is never unknown to us); phase 2 Confirms every branch of a COMMITTING transaction, or Cancels every
 * branch of an ABORTING one, until each answers 200. The participant's barrier makes a repeated call a no-op, a
 * Cancel without a Try an empty compensation, and a Try arriving after its Cancel a no-op.
 *
 * <pre>
 *   ACTIVE ──submit (every Try succeeded)──▶ COMMITTING ──all confirmed──▶ COMMITTED
 *     └──── abort / failed Try / timeout ──▶ ABORTING ──all cancelled──▶ ABORTED
 * </pre>
 */
public final class TccPattern implements Pattern {
    /** TCC's moves; public so that tests and tools can read it without wiring an engine. */
    public static final StateTable TABLE = StateTable.of(TxPattern.TCC)
            .allow(ACTIVE, COMMITTING, ABORTING)
            .allow(COMMITTING, COMMITTED)
            .allow(ABORTING, ABORTED)
            .build();

    static final String TRY = "try";
    static final String CONFIRM = "confirm";
    static final String CANCEL = "cancel";

    private final PhaseTwoRound round;
    private final ActiveTimeout timeout;

    public TccPattern(PhaseTwoRound round, ActiveTimeout timeout) {
        this.round = round;
        this.timeout = timeout;
    }

    @Override
    public TxPattern id() {
        return TxPattern.TCC;
    }

    @Override
    public StateTable table() {
        return TABLE;
    }

    /** Operations {@code try} (optional, informative: the client calls it), {@code confirm} and {@code cancel}. */
    private static final List<BranchOperations.Spec> OPERATIONS = List.of(
            new BranchOperations.Spec(TRY, "tryUrl", false),
            new BranchOperations.Spec(CONFIRM, "confirmUrl", true),
            new BranchOperations.Spec(CANCEL, "cancelUrl", true));

    @Override
    public BranchRecord acceptBranch(String gid, BranchRequest req, Instant now) {
        return BranchRecord.register(gid, req.branchId(), BranchOperations.accept("TCC", req, OPERATIONS), now);
    }

    @Override
    public GlobalStatus submitTarget() {
        return COMMITTING;
    }

    @Override
    public GlobalTransaction onDue(GlobalTransaction tx) {
        GlobalTransaction t = tx.status() == ACTIVE ? timeout.abortIfExpired(tx) : tx;
        return switch (t.status()) {
            case COMMITTING -> round.run(t, BranchOp.CONFIRM, CONFIRM);
            case ABORTING -> round.run(t, BranchOp.CANCEL, CANCEL);
            default -> t; // still ACTIVE (its timeout has not come), or final
        };
    }
}
