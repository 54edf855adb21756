package dev.pactum.core.xa;

import dev.pactum.api.BranchOp;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.BranchStatus;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.Outcome;
import dev.pactum.api.TxPattern;
import dev.pactum.core.ActiveTimeout;
import dev.pactum.core.BranchOperations;
import dev.pactum.core.Decisions;
import dev.pactum.core.Failpoints;
import dev.pactum.core.Pattern;
import dev.pactum.core.PhaseTwoCalls;
import dev.pactum.core.PhaseTwoRound;
import dev.pactum.core.StateTable;
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

import static dev.pactum.api.GlobalStatus.ABORTED;
import static dev.pactum.api.GlobalStatus.ABORTING;
import static dev.pactum.api.GlobalStatus.ACTIVE;
import static dev.pactum.api.GlobalStatus.COMMITTED;
import static dev.pactum.api.GlobalStatus.COMMITTING;
import static dev.pactum.api.GlobalStatus.PREPARING;

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
 *
 * <pre>
 *   ACTIVE ──submit──▶ PREPARING ──every branch yes──▶ COMMITTING ──all committed──▶ COMMITTED
 *     │                   └── a no, no answer, or nobody voting (presumed abort) ──┐
 *     └── abort / timeout ───────────────────────────────────────────────────────▶ ABORTING ──all rolled back──▶ ABORTED
 * </pre>
 */
public final class XaPattern implements Pattern {
    private static final Logger log = LoggerFactory.getLogger(XaPattern.class);
    /** XA's moves; public so that tests and tools can read it without wiring an engine. */
    public static final StateTable TABLE = StateTable.of(TxPattern.XA)
            .allow(ACTIVE, PREPARING, ABORTING)
            .allow(PREPARING, COMMITTING, ABORTING)
            .allow(COMMITTING, COMMITTED)
            .allow(ABORTING, ABORTED)
            .build();

    static final String PREPARE = "prepare";
    static final String COMMIT = "commit";
    static final String ROLLBACK = "rollback";
    private static final List<BranchOperations.Spec> OPERATIONS = List.of(
            new BranchOperations.Spec(PREPARE, "prepareUrl", true),
            new BranchOperations.Spec(COMMIT, "commitUrl", true),
            new BranchOperations.Spec(ROLLBACK, "rollbackUrl", true));

    private final TransactionStore store;
    private final PhaseTwoCalls calls;
    private final PhaseTwoRound round;
    private final Decisions decisions;
    private final ActiveTimeout timeout;
    private final Clock clock;
    private final Failpoints failpoints;

    public XaPattern(TransactionStore store, PhaseTwoCalls calls, PhaseTwoRound round, Decisions decisions,
                     ActiveTimeout timeout, Clock clock, Failpoints failpoints) {
        this.store = store;
        this.calls = calls;
        this.round = round;
        this.decisions = decisions;
        this.timeout = timeout;
        this.clock = clock;
        this.failpoints = failpoints;
    }

    @Override
    public TxPattern id() {
        return TxPattern.XA;
    }

    @Override
    public StateTable table() {
        return TABLE;
    }

    /** XA branches say where they prepare, commit and roll back; the work call is the client's business. */
    @Override
    public BranchRecord acceptBranch(String gid, BranchRequest req, Instant now) {
        return BranchRecord.register(gid, req.branchId(), BranchOperations.accept("XA", req, OPERATIONS), now);
    }

    @Override
    public GlobalStatus submitTarget() {
        return GlobalStatus.PREPARING;
    }

    /** Phase one: the vote, then the decision, durable before this returns. */
    @Override
    public Submitted afterSubmit(GlobalTransaction preparing, List<BranchRecord> branches) {
        failpoints.hit(Failpoints.XA_BEFORE_VOTE);
        List<BranchRecord> toPrepare = new ArrayList<>();
        for (BranchRecord b : branches) {
            if (b.status() == BranchStatus.REGISTERED) {
                toPrepare.add(b);
            }
        }
        List<CallResult> votes = calls.callAll(preparing.gid(), BranchOp.PREPARE, toPrepare, PREPARE);
        String no = null;
        Instant now = clock.instant();
        List<BranchUpdate> answers = new ArrayList<>(toPrepare.size());
        for (int i = 0; i < toPrepare.size(); i++) {
            BranchRecord b = toPrepare.get(i);
            CallResult v = votes.get(i);
            boolean yes = v.outcome() == Outcome.SUCCESS;
            answers.add(new BranchUpdate(b, b.attempted(yes ? BranchStatus.PREPARED : BranchStatus.REGISTERED,
                    yes ? null : v.detail(), now)));
            if (!yes && no == null) {
                no = "branch " + b.branchId() + (v.outcome() == Outcome.FAILURE ? " voted no: " : " did not vote: ")
                        + v.detail();
            }
        }
        boolean oneByOne = failpoints.isArmed(Failpoints.XA_AFTER_VOTE);
        if (oneByOne) {
            // The crash tests stop here with every vote recorded and no decision: record them one by one first.
            for (BranchUpdate u : answers) {
                if (!store.updateBranch(u.expected(), u.updated()) && no == null) {
                    no = "branch " + u.expected().branchId() + " changed while it was voting";
                }
            }
            answers = List.of();
            failpoints.hit(Failpoints.XA_AFTER_VOTE);
        }
        // The votes and the decision in one store call (one synced write in the embedded store).
        GlobalStatus decision = no == null ? COMMITTING : ABORTING;
        String why = no == null ? "all branches prepared" : no;
        GlobalTransaction stored = decisions.move(preparing, decision, why, answers).orElse(null);
        // Whether the branches as stored now are the ones read with the votes applied (no store read needed).
        boolean votesWritten = stored != null && !oneByOne;
        if (stored == null && !answers.isEmpty() && unchanged(preparing)) {
            // Not moved, yet nobody moved it: a branch changed while it was voting, which is a vote to abort.
            stored = decisions.move(preparing, ABORTING, no != null ? no : "a branch changed while it was voting")
                    .orElse(null);
        }
        if (stored == null) {
            // Another node presumed us dead and aborted meanwhile (our lease ran out): its decision stands.
            log.warn("{}: the vote's decision {} lost to a concurrent change", preparing.gid(), decision);
            return asStored(store.find(preparing.gid()).orElse(preparing));
        }
        failpoints.hit(Failpoints.XA_AFTER_DECISION);
        // The votes went into the decision's write: the branches as stored are the ones read with the votes applied.
        return votesWritten ? new Submitted(stored, withVotes(branches, answers)) : asStored(stored);
    }

    private Submitted asStored(GlobalTransaction tx) {
        return new Submitted(tx, store.branches(tx.gid()));
    }

    private static List<BranchRecord> withVotes(List<BranchRecord> branches, List<BranchUpdate> answers) {
        List<BranchRecord> out = new ArrayList<>(branches.size());
        for (BranchRecord b : branches) {
            BranchRecord now = b;
            for (BranchUpdate u : answers) {
                if (u.expected() == b) {
                    now = u.updated();
                    break;
                }
            }
            out.add(now);
        }
        return out;
    }

    /** Still stored as {@code tx} was read: same status, same version. */
    private boolean unchanged(GlobalTransaction tx) {
        return store.find(tx.gid()).filter(t -> t.status() == tx.status() && t.version() == tx.version()).isPresent();
    }

    @Override
    public GlobalTransaction onDue(GlobalTransaction tx) {
        GlobalTransaction t = tx.status() == ACTIVE ? timeout.abortIfExpired(tx) : tx;
        return switch (t.status()) {
            case PREPARING -> presumeAbort(t);
            case COMMITTING -> round.run(t, BranchOp.COMMIT, COMMIT);
            case ABORTING -> round.run(t, BranchOp.ROLLBACK, ROLLBACK);
            default -> t; // still ACTIVE (its timeout has not come), or final
        };
    }

    /** Nobody is voting on a PREPARING transaction we now hold: nobody can have been told to commit. */
    private GlobalTransaction presumeAbort(GlobalTransaction tx) {
        return decisions.move(tx, ABORTING, "no decision was recorded before the coordinator stopped (presumed abort)")
                .map(stored -> round.run(stored, BranchOp.ROLLBACK, ROLLBACK))
                .orElse(tx);
    }
}
