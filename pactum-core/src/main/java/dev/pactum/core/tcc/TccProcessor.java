package dev.pactum.core.tcc;

import dev.pactum.api.BranchOp;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.TxPattern;
import dev.pactum.core.PatternProcessor;
import dev.pactum.core.PhaseTwoRound;
import dev.pactum.core.model.GlobalTransaction;

/**
 * TCC: a submit records COMMITTING at once (the client has called every Try, after registering the branch, so
 * a Try is never unknown to us); phase 2 Confirms every branch of a COMMITTING transaction, or Cancels every
 * branch of an ABORTING one, until each answers 200. The participant's barrier makes a repeated call a no-op, a
 * Cancel without a Try an empty compensation, and a Try arriving after its Cancel a no-op.
 */
public final class TccProcessor implements PatternProcessor {
    private final PhaseTwoRound round;

    public TccProcessor(PhaseTwoRound round) {
        this.round = round;
    }

    @Override
    public TxPattern pattern() {
        return TxPattern.TCC;
    }

    @Override
    public GlobalStatus submitTarget() {
        return GlobalStatus.COMMITTING;
    }

    @Override
    public GlobalTransaction driveOnce(GlobalTransaction tx) {
        return tx.status() == GlobalStatus.COMMITTING
                ? round.run(tx, BranchOp.CONFIRM, b -> b.confirmUrl())
                : round.run(tx, BranchOp.CANCEL, b -> b.cancelUrl());
    }
}
