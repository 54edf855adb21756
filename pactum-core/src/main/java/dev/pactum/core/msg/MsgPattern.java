package dev.pactum.core.msg;

import dev.pactum.api.BranchOp;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.BranchStatus;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.TxPattern;
import dev.pactum.core.Backoff;
import dev.pactum.core.BranchOperations;
import dev.pactum.core.BranchUrls;
import dev.pactum.core.Decisions;
import dev.pactum.core.Pattern;
import dev.pactum.core.PhaseTwoCalls;
import dev.pactum.core.PhaseTwoRound;
import dev.pactum.core.StateTable;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.spi.CallResult;
import dev.pactum.core.spi.LaneEntry;
import dev.pactum.core.spi.TransactionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

import static dev.pactum.api.GlobalStatus.ABORTED;
import static dev.pactum.api.GlobalStatus.ABORTING;
import static dev.pactum.api.GlobalStatus.ACTIVE;
import static dev.pactum.api.GlobalStatus.COMMITTED;
import static dev.pactum.api.GlobalStatus.COMMITTING;
import static dev.pactum.api.GlobalStatus.PARKED;

/**
 * Transactional ("half") messages, seed 000's scheme: the begin stores the message invisible ("to confirm"), the
 * producer runs its local transaction, then commits (submit: the message becomes sendable and is delivered) or rolls
 * back (abort: it is dropped, with a record). A message still ACTIVE when its check timeout comes (the begin's
 * {@code timeoutMs}) is checked back: the coordinator asks the producer's {@code check} endpoint how its local
 * transaction ended, and commits, rolls back, or asks again later with backoff. After {@code maxChecks} unanswered
 * checks the message is PARKED, never dropped: it waits, visible and counted, for an operator's resolve.
 *
 * <pre>
 *   ACTIVE ──submit / check-back: committed──▶ COMMITTING ──every branch delivered──▶ COMMITTED
 *     │  │                                        ▲
 *     │  └── checks exhausted ──▶ PARKED ──resolve commit (or a late submit)
 *     │                             └──────resolve abort (or a late abort)──┐
 *     └──── abort / check-back: rolled back ──────────────────────────────▶ ABORTING ──(nothing to undo)──▶ ABORTED
 * </pre>
 *
 * <p>A branch is one message: operation {@code deliver} (target: the destination URI, of any scheme a connector
 * serves; payload: the message body) and operation {@code check} (the producer's check-back URL, http or https). A
 * check-back asks the first branch's {@code check} (every message of a transaction comes from one local
 * transaction) and reads the answer by the three outcomes of DESIGN.md: 200 = the local transaction committed,
 * 409 = it rolled back, anything else (425, 503, no answer) = not known yet. Each unknown answer is one more
 * attempt on that branch (its {@code attempts} and {@code lastError}), which is what counts the checks.
 *
 * <p>A {@code deliver} may carry the message's key and headers. Messages of one destination and key form a lane,
 * written with the commit decision ({@link #orderedAtCommit}); only a lane's head (the earliest decided undelivered
 * message) is delivered, so they arrive in the order their commits were decided. See docs/messages.md.
 */
public final class MsgPattern implements Pattern {
    private static final Logger log = LoggerFactory.getLogger(MsgPattern.class);

    /** MSG's moves; public so that tests and tools can read it without wiring an engine. */
    public static final StateTable TABLE = StateTable.of(TxPattern.MSG)
            .allow(ACTIVE, COMMITTING, ABORTING, PARKED)
            .allow(PARKED, COMMITTING, ABORTING)
            .allow(COMMITTING, COMMITTED)
            .allow(ABORTING, ABORTED)
            .build();

    public static final String DELIVER = "deliver";
    public static final String CHECK = "check";

    private final List<BranchOperations.Spec> operations;
    private final TransactionStore store;
    private final PhaseTwoCalls calls;
    private final PhaseTwoRound round;
    private final Decisions decisions;
    private final Backoff backoff;
    private final Clock clock;
    private final int maxChecks;
    private final Predicate<GlobalTransaction> startDriving;

    /**
     * @param destinations how a {@code deliver} target is checked at registration: {@link Destinations#check} in
     *                     core alone, the connector registry's check in the server
     * @param maxChecks    unanswered check-backs before the message is PARKED
     */
    public MsgPattern(TransactionStore store, PhaseTwoCalls calls, PhaseTwoRound round, Decisions decisions,
                      Backoff backoff, Clock clock, int maxChecks, BranchOperations.TargetCheck destinations) {
        this(store, calls, round, decisions, backoff, clock, maxChecks, destinations, tx -> false);
    }

    /**
     * @param startDriving drives a leased transaction in the background, false if this process already drives it
     *                     (the engine's {@code TransactionDriver.startDriving}): how the next message of a lane is
     *                     handed on at once when the one before it is delivered
     */
    public MsgPattern(TransactionStore store, PhaseTwoCalls calls, PhaseTwoRound round, Decisions decisions,
                      Backoff backoff, Clock clock, int maxChecks, BranchOperations.TargetCheck destinations,
                      Predicate<GlobalTransaction> startDriving) {
        this.startDriving = startDriving;
        this.store = store;
        this.calls = calls;
        this.round = round;
        this.decisions = decisions;
        this.backoff = backoff;
        this.clock = clock;
        this.maxChecks = maxChecks;
        this.operations = List.of(
                new BranchOperations.Spec(DELIVER, null, true, destinations, true),
                new BranchOperations.Spec(CHECK, null, true, BranchUrls::check));
    }

    @Override
    public TxPattern id() {
        return TxPattern.MSG;
    }

    @Override
    public StateTable table() {
        return TABLE;
    }

    @Override
    public BranchRecord acceptBranch(String gid, BranchRequest req, Instant now) {
        return BranchRecord.register(gid, req.branchId(), BranchOperations.accept("MSG", req, operations), now);
    }

    @Override
    public GlobalStatus submitTarget() {
        return COMMITTING;
    }

    /** The check timeout only starts the check-backs: a producer's commit that comes later still commits. */
    @Override
    public boolean abortsAtTimeout() {
        return false;
    }

    @Override
    public GlobalTransaction onDue(GlobalTransaction tx) {
        return switch (tx.status()) {
            case ACTIVE -> checkBack(tx);
            case COMMITTING -> deliver(tx);
            // Nothing was sent and nothing is to undo: the half message is dropped, its record stays.
            case ABORTING -> decisions.move(tx, ABORTED, null).orElse(tx);
            // Parked records have no due time; one found due (its "no due time" write was lost) is put back.
            case PARKED -> decisions.reschedule(tx, null).orElse(tx);
            default -> tx;
        };
    }

    /** A commit decision appends the undelivered keyed messages to their lanes, in registration order. */
    @Override
    public List<BranchRecord> orderedAtCommit(GlobalTransaction tx) {
        return store.branches(tx.gid()).stream().filter(b -> !b.status().isFinal() && b.lane() != null).toList();
    }

    /**
     * One round of deliveries. A keyed message is sent only while it heads its lane (no message of the same
     * destination and key decided before it is undelivered); the others wait, rescheduled with backoff like a failed
     * delivery. When a message that headed its lane is delivered, the lane's next message, if another transaction's,
     * is handed on to be driven at once instead of at its next retry.
     */
    private GlobalTransaction deliver(GlobalTransaction tx) {
        Set<String> headed = new HashSet<>();
        GlobalTransaction after = round.run(tx, BranchOp.DELIVER, DELIVER, b -> waitingFor(b, headed));
        for (String lane : headed) {
            store.laneHead(lane).filter(next -> !next.gid().equals(tx.gid())).ifPresent(next -> handOn(next.gid()));
        }
        return after;
    }

    /** Null when {@code b} may be delivered now (no lane, or it heads its lane); otherwise what it waits for. */
    private String waitingFor(BranchRecord b, Set<String> headed) {
        String lane = b.lane();
        if (lane == null) {
            return null;
        }
        Optional<LaneEntry> head = store.laneHead(lane);
        // No entry: decided by a version without lanes; nothing is known to be ahead of it.
        if (head.isEmpty() || head.get().is(b.gid(), b.branchId())) {
            headed.add(lane);
            return null;
        }
        return "waiting for message " + head.get().gid() + "/" + head.get().branchId()
                + " (same destination and key, decided before it) to be delivered";
    }

    /**
     * Drives the lane's next message now, unless someone holds it already: a round in flight that found it waiting
     * reschedules it within {@code PhaseTwoRound.MAX_WAIT_STEPS} backoff steps (about a second), since a lane wait does
     * not back off like a failure.
     */
    private void handOn(String gid) {
        Instant now = clock.instant();
        store.find(gid).filter(t -> t.status() == COMMITTING && !t.isLeasedAt(now))
                .flatMap(t -> decisions.move(t, COMMITTING, null))
                .filter(leased -> !startDriving.test(leased))
                .ifPresent(leased -> decisions.reschedule(leased, now));
    }

    /** The check timeout came: ask the producer how its local transaction ended. */
    private GlobalTransaction checkBack(GlobalTransaction tx) {
        Instant now = clock.instant();
        Instant due = tx.nextAttemptAt() == null ? tx.timeoutAt() : tx.nextAttemptAt();
        if (due.isAfter(now)) {
            return decisions.reschedule(tx, due).orElse(tx); // another node's clock ran ahead of ours
        }
        List<BranchRecord> branches = store.branches(tx.gid());
        if (branches.isEmpty()) {
            return decisions.move(tx, ABORTING, "no message was registered before the check timeout")
                    .map(this::onDue).orElse(tx);
        }
        BranchRecord asked = branches.getFirst();
        CallResult answer = calls.callAll(tx.gid(), BranchOp.CHECK, List.of(asked), CHECK).getFirst();
        return switch (answer.outcome()) {
            case SUCCESS -> decisions.move(tx, COMMITTING, "check-back: the producer committed")
                    .map(this::onDue).orElse(tx);
            case FAILURE -> decisions.move(tx, ABORTING, "check-back: the producer rolled back")
                    .map(this::onDue).orElse(tx);
            case ONGOING -> unknown(tx, asked, answer);
        };
    }

    /** No answer yet: count the check on the branch, then ask again later, or park after the last one. */
    private GlobalTransaction unknown(GlobalTransaction tx, BranchRecord asked, CallResult answer) {
        BranchRecord counted = asked.attempted(BranchStatus.REGISTERED, "check-back: " + answer.detail(),
                clock.instant());
        if (!store.updateBranch(asked, counted)) {
            return decisions.reschedule(tx, clock.instant()).orElse(tx); // another node checked meanwhile; look again
        }
        int checks = counted.attempts();
        if (checks >= maxChecks) {
            String why = "parked after " + checks + " check-backs without an answer (last: " + answer.detail() + ")";
            log.warn("{}: {}; an operator must resolve it (POST /api/v1/transactions/{}/resolve)", tx.gid(), why,
                    tx.gid());
            return decisions.move(tx, PARKED, why).map(p -> decisions.reschedule(p, null).orElse(p)).orElse(tx);
        }
        return decisions.reschedule(tx, clock.instant().plus(backoff.delay(checks))).orElse(tx);
    }
}
