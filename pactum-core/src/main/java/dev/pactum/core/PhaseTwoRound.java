package dev.pactum.core;

import dev.pactum.api.BranchOp;
import dev.pactum.api.BranchStatus;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.Outcome;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.spi.BranchUpdate;
import dev.pactum.core.spi.CallResult;
import dev.pactum.core.spi.TransactionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One round of phase 2, the same for every pattern: call every unfinished branch with the decision's operation
 * (Confirm / Cancel, commit / rollback), record each answer, then move the transaction to its final status if
 * every branch acknowledged, or reschedule it with backoff. A participant that refuses (409) a phase-2 call
 * breaks the protocol, since a decided transaction must finish: it is retried like any failure, and logged.
 */
public final class PhaseTwoRound {
    /** Backoff steps a lane wait counts at most: a waiter asks again within Backoff.delay(4), about a second. */
    static final int MAX_WAIT_STEPS = 4;

    private static final Logger log = LoggerFactory.getLogger(PhaseTwoRound.class);

    private final TransactionStore store;
    private final PhaseTwoCalls calls;
    private final Decisions decisions;
    private final Backoff backoff;
    private final Clock clock;
    private final Failpoints failpoints;

    public PhaseTwoRound(TransactionStore store, PhaseTwoCalls calls, Decisions decisions, Backoff backoff, Clock clock,
                         Failpoints failpoints) {
        this.store = store;
        this.calls = calls;
        this.decisions = decisions;
        this.backoff = backoff;
        this.clock = clock;
        this.failpoints = failpoints;
    }

    /**
     * @param tx  a transaction whose decision (COMMITTING or ABORTING) is durable
     * @param op  the operation that carries the decision to a branch
     * @param operation the name of the branch operation that carries it (its target and payload are sent)
     */
    public GlobalTransaction run(GlobalTransaction tx, BranchOp op, String operation) {
        return run(tx, op, operation, b -> null);
    }

    /**
     * As {@link #run(GlobalTransaction, BranchOp, String)}, but a branch for which {@code waitingFor} answers a
     * reason (a message whose lane has an earlier one undelivered) is not called this round: it is recorded as an
     * attempt with that reason as its last error, and the transaction is rescheduled as for a failed call.
     */
    public GlobalTransaction run(GlobalTransaction tx, BranchOp op, String operation,
                                 Function<BranchRecord, String> waitingFor) {
        boolean commit = switch (tx.status()) {
            case COMMITTING -> true;
            case ABORTING -> false;
            default -> throw new IllegalStateException("phase 2 needs a decided transaction, " + tx.gid() + " is "
                    + tx.status());
        };
        BranchStatus done = commit ? BranchStatus.CONFIRMED : BranchStatus.CANCELLED;
        List<BranchRecord> pending = new ArrayList<>();
        List<BranchRecord> waiting = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        for (BranchRecord b : store.branches(tx.gid())) {
            if (!b.status().isFinal()) {
                String reason = waitingFor.apply(b);
                if (reason == null) {
                    pending.add(b);
                } else {
                    waiting.add(b);
                    reasons.add(reason);
                }
            } else if (b.status() != done) {
                // Cannot happen through this class: a branch only ever moves to the status of the decision.
                throw new IllegalStateException("branch " + b.branchId() + " of " + tx.gid() + " is " + b.status()
                        + " but the transaction is " + tx.status());
            }
        }
        List<CallResult> results = calls.callAll(tx.gid(), op, pending, operation);

        Instant now = clock.instant();
        GlobalStatus finalStatus = commit ? GlobalStatus.COMMITTED : GlobalStatus.ABORTED;
        boolean allAcknowledged = results.stream().allMatch(r -> r.outcome() == Outcome.SUCCESS);
        if (allAcknowledged && waiting.isEmpty() && !failpoints.isArmed(Failpoints.MID_PHASE_TWO)) {
            // The common round: every branch acknowledged. Its answers and the final status go to the store in one
            // call (one write in the embedded store). If another node recorded a branch or moved the transaction
            // meanwhile, nothing is lost by rescheduling: the next round looks again.
            List<BranchUpdate> acks = new ArrayList<>(pending.size());
            for (BranchRecord b : pending) {
                acks.add(new BranchUpdate(b, b.attempted(done, null, now)));
            }
            Optional<GlobalTransaction> finished = decisions.move(tx, finalStatus, null, acks);
            if (finished.isPresent()) {
                return finished.get();
            }
            return decisions.reschedule(tx, clock.instant().plus(backoff.delay(1))).orElse(tx);
        }
        int unfinished = 0;
        int maxAttempts = 0;
        for (int i = 0; i < pending.size(); i++) {
            BranchRecord b = pending.get(i);
            CallResult r = results.get(i);
            boolean ok = r.outcome() == Outcome.SUCCESS;
            BranchRecord next = b.attempted(ok ? done : b.status(), ok ? null : r.detail(), now);
            if (!ok) {
                unfinished++;
                maxAttempts = Math.max(maxAttempts, next.attempts());
                if (r.outcome() == Outcome.FAILURE) {
                    log.warn("participant refused {} of branch {} in {} (HTTP 409); a decided transaction must"
                            + " finish, retrying", op.wire(), b.branchId(), tx.gid());
                }
            }
            if (!store.updateBranch(b, next) && ok) {
                unfinished++; // another node recorded this branch meanwhile; look again on the next round
            }
            if (ok && i == 0 && pending.size() > 1) {
                failpoints.hit(Failpoints.MID_PHASE_TWO);
            }
        }
        for (int i = 0; i < waiting.size(); i++) {
            BranchRecord b = waiting.get(i);
            BranchRecord next = b.attempted(b.status(), reasons.get(i), now);
            store.updateBranch(b, next);
            unfinished++;
            // A wait is not a failure: the head's own retries back off, the waiter only polls. Capped, so that a
            // waiter whose hand-on was missed (its head delivered while this round ran) starts soon after.
            maxAttempts = Math.max(maxAttempts, Math.min(next.attempts(), MAX_WAIT_STEPS));
        }
        if (unfinished == 0) {
            return decisions.move(tx, finalStatus, null).orElse(tx);
        }
        Instant next = clock.instant().plus(backoff.delay(Math.max(maxAttempts, 1)));
        return decisions.reschedule(tx, next).orElse(tx);
    }
}
