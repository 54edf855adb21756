package dev.pactum.core.tcc;

import dev.pactum.api.BranchOp;
import dev.pactum.api.BranchStatus;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.Outcome;
import dev.pactum.api.TxPattern;
import dev.pactum.core.Backoff;
import dev.pactum.core.PatternProcessor;
import dev.pactum.core.PhaseTwoCalls;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.spi.CallResult;
import dev.pactum.core.spi.TransactionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Phase 2 of TCC: Confirm every branch of a COMMITTING transaction, or Cancel every branch of an ABORTING one.
 *
 * <p>The client has already called each Try (after registering the branch, so a Try is never unknown to us).
 * Confirm and Cancel are retried with backoff until the participant answers 200; the participant's barrier
 * makes a repeated call a no-op, a Cancel without a Try an empty compensation, and a Try arriving after its
 * Cancel a no-op. A 409 to a Confirm or a Cancel breaks the TCC contract (both must eventually succeed), so it
 * is retried like any other failure and shows up as the branch's last error and in the logs.
 */
public final class TccProcessor implements PatternProcessor {
    private static final Logger log = LoggerFactory.getLogger(TccProcessor.class);

    private final TransactionStore store;
    private final PhaseTwoCalls calls;
    private final Backoff backoff;
    private final Clock clock;

    public TccProcessor(TransactionStore store, PhaseTwoCalls calls, Backoff backoff, Clock clock) {
        this.store = store;
        this.calls = calls;
        this.backoff = backoff;
        this.clock = clock;
    }

    @Override
    public TxPattern pattern() {
        return TxPattern.TCC;
    }

    @Override
    public GlobalTransaction driveOnce(GlobalTransaction tx) {
        boolean commit = switch (tx.status()) {
            case COMMITTING -> true;
            case ABORTING -> false;
            default -> throw new IllegalStateException("TCC phase 2 needs a decided transaction, " + tx.gid()
                    + " is " + tx.status());
        };
        BranchOp op = commit ? BranchOp.CONFIRM : BranchOp.CANCEL;
        BranchStatus done = commit ? BranchStatus.CONFIRMED : BranchStatus.CANCELLED;

        List<BranchRecord> pending = new ArrayList<>();
        for (BranchRecord b : store.branches(tx.gid())) {
            if (!b.status().isFinal()) {
                pending.add(b);
            } else if (b.status() != done) {
                // Cannot happen through this class: a branch only ever moves to the status of the decision.
                throw new IllegalStateException("branch " + b.branchId() + " of " + tx.gid() + " is " + b.status()
                        + " but the transaction is " + tx.status());
            }
        }
        List<CallResult> results = calls.callAll(tx.gid(), op, pending, b -> commit ? b.confirmUrl() : b.cancelUrl());

        int unfinished = 0;
        int maxAttempts = 0;
        Instant now = clock.instant();
        for (int i = 0; i < pending.size(); i++) {
            BranchRecord b = pending.get(i);
            CallResult r = results.get(i);
            boolean ok = r.outcome() == Outcome.SUCCESS;
            BranchRecord next = b.attempted(ok ? done : b.status(), ok ? null : r.detail(), now);
            if (!ok) {
                unfinished++;
                maxAttempts = Math.max(maxAttempts, next.attempts());
                if (r.outcome() == Outcome.FAILURE) {
                    log.warn("participant refused {} of branch {} in {} (HTTP 409); TCC requires it to succeed,"
                            + " retrying", op.wire(), b.branchId(), tx.gid());
                }
            }
            if (!store.updateBranch(b, next) && ok) {
                unfinished++; // another node recorded this branch meanwhile; look again on the next round
            }
        }
        now = clock.instant();
        if (unfinished == 0) {
            GlobalStatus fin = commit ? GlobalStatus.COMMITTED : GlobalStatus.ABORTED;
            return store.compareAndSet(tx, tx.moveTo(fin, null, now, null, null)).orElse(tx);
        }
        Instant next = now.plus(backoff.delay(Math.max(maxAttempts, 1)));
        return store.compareAndSet(tx, tx.rescheduled(next, now)).orElse(tx);
    }
}
