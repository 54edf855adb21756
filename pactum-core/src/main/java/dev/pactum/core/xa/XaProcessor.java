package dev.pactum.core.xa;

import dev.pactum.api.BranchOp;
import dev.pactum.api.BranchStatus;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.Outcome;
import dev.pactum.api.TxPattern;
import dev.pactum.core.CoordinatorConfig;
import dev.pactum.core.CoordinatorMetrics;
import dev.pactum.core.Failpoints;
import dev.pactum.core.PatternProcessor;
import dev.pactum.core.PhaseTwoCalls;
import dev.pactum.core.PhaseTwoRound;
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
 * XA two-phase commit.
 *
 * <p>Phase one runs on the submitting request's thread: PREPARING is recorded durably, then every branch is
 * asked to prepare, in parallel, each call bounded by the branch timeout. Every "yes" (200) is recorded as
 * PREPARED; a "no" (409), any other answer or no answer in time is a vote to abort. The decision (COMMITTING if
 * all said yes, otherwise ABORTING) is recorded durably before the submit answers and before any branch hears of
 * phase 2 (invariant 1); phase 2 then commits or rolls back every branch until each acknowledges.
 *
 * <p>Presumed abort: a transaction found PREPARING by the driver or the recovery worker has no decision because
 * the coordinator that was voting stopped. Nobody can have been told to commit, so it is aborted and every branch
 * rolled back, prepared or not.
 */
public final class XaProcessor implements PatternProcessor {
    private static final Logger log = LoggerFactory.getLogger(XaProcessor.class);

    private final TransactionStore store;
    private final PhaseTwoCalls calls;
    private final PhaseTwoRound round;
    private final CoordinatorConfig config;
    private final CoordinatorMetrics metrics;
    private final Clock clock;
    private final Failpoints failpoints;

    public XaProcessor(TransactionStore store, PhaseTwoCalls calls, PhaseTwoRound round, CoordinatorConfig config,
                       CoordinatorMetrics metrics, Clock clock, Failpoints failpoints) {
        this.store = store;
        this.calls = calls;
        this.round = round;
        this.config = config;
        this.metrics = metrics;
        this.clock = clock;
        this.failpoints = failpoints;
    }

    @Override
    public TxPattern pattern() {
        return TxPattern.XA;
    }

    @Override
    public GlobalStatus submitTarget() {
        return GlobalStatus.PREPARING;
    }

    /** Phase one: the vote, then the decision, durable before this returns. */
    @Override
    public GlobalTransaction afterSubmit(GlobalTransaction preparing) {
        failpoints.hit(Failpoints.XA_BEFORE_VOTE);
        List<BranchRecord> toPrepare = new ArrayList<>();
        for (BranchRecord b : store.branches(preparing.gid())) {
            if (b.status() == BranchStatus.REGISTERED) {
                toPrepare.add(b);
            }
        }
        List<CallResult> votes = calls.callAll(preparing.gid(), BranchOp.PREPARE, toPrepare, BranchRecord::prepareUrl);
        String no = null;
        Instant now = clock.instant();
        for (int i = 0; i < toPrepare.size(); i++) {
            BranchRecord b = toPrepare.get(i);
            CallResult v = votes.get(i);
            boolean yes = v.outcome() == Outcome.SUCCESS;
            if (!store.updateBranch(b, b.attempted(yes ? BranchStatus.PREPARED : BranchStatus.REGISTERED,
                    yes ? null : v.detail(), now)) && no == null) {
                no = "branch " + b.branchId() + " changed while it was voting";
            }
            if (!yes && no == null) {
                no = "branch " + b.branchId() + (v.outcome() == Outcome.FAILURE ? " voted no: " : " did not vote: ")
                        + v.detail();
            }
        }
        failpoints.hit(Failpoints.XA_AFTER_VOTE);
        now = clock.instant();
        GlobalStatus decision = no == null ? GlobalStatus.COMMITTING : GlobalStatus.ABORTING;
        GlobalTransaction decided = preparing.moveTo(decision, no == null ? "all branches prepared" : no, now,
                config.nodeId(), now.plus(config.lease()));
        GlobalTransaction stored = store.compareAndSet(preparing, decided).orElse(null);
        if (stored == null) {
            // Another node presumed us dead and aborted meanwhile (our lease ran out): its decision stands.
            log.warn("{}: the vote's decision {} lost to a concurrent change", preparing.gid(), decision);
            return store.find(preparing.gid()).orElse(preparing);
        }
        metrics.decided(decision);
        if (no != null) {
            log.info("{} aborting: {}", preparing.gid(), no);
        }
        failpoints.hit(Failpoints.XA_AFTER_DECISION);
        return stored;
    }

    @Override
    public GlobalTransaction driveOnce(GlobalTransaction tx) {
        return switch (tx.status()) {
            case PREPARING -> presumeAbort(tx);
            case COMMITTING -> round.run(tx, BranchOp.COMMIT, BranchRecord::confirmUrl);
            case ABORTING -> round.run(tx, BranchOp.ROLLBACK, BranchRecord::cancelUrl);
            default -> tx;
        };
    }

    private GlobalTransaction presumeAbort(GlobalTransaction tx) {
        Instant now = clock.instant();
        GlobalTransaction aborting = tx.moveTo(GlobalStatus.ABORTING,
                "no decision was recorded before the coordinator stopped (presumed abort)", now, config.nodeId(),
                now.plus(config.lease()));
        GlobalTransaction stored = store.compareAndSet(tx, aborting).orElse(null);
        if (stored == null) {
            return tx;
        }
        metrics.decided(GlobalStatus.ABORTING);
        log.info("{} was PREPARING with no decision: presumed abort, rolling back every branch", tx.gid());
        return round.run(stored, BranchOp.ROLLBACK, BranchRecord::cancelUrl);
    }
}
