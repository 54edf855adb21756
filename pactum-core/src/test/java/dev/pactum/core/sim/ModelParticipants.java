package dev.pactum.core.sim;

import dev.pactum.api.BranchOp;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.Outcome;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.spi.BranchCall;
import dev.pactum.core.spi.CallResult;
import dev.pactum.core.testkit.FakeBranchInvoker;
import dev.pactum.core.testkit.InMemoryTransactionStore;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every participant of the simulation: per (gid, branch) a ledger of what took effect, behind the rules of the
 * barrier (docs/barrier.md) for TCC and of the XA participant (docs/xa-participant.md) for XA. A repeated call takes
 * effect once, a Cancel without a Try is an empty compensation, a Try after its Cancel is refused (suspended), a
 * prepare of a branch not worked (or rolled back) votes no.
 *
 * <p>Where a phase-2 call arrives, two invariants are checked on the spot against what the store holds durably:
 * the decision is recorded (1), and a commit finds every registered branch tried or prepared (3).
 */
final class ModelParticipants implements FakeBranchInvoker.Participant {

    static final class Ledger {
        final String gid;
        final String branchId;
        final boolean xa;
        /** The Try (TCC) or the work (XA) is refused. */
        final boolean refuse;
        /** XA: the branch votes no at prepare. */
        final boolean voteNo;
        // TCC
        boolean tried;
        boolean confirmed;
        boolean cancelled;
        boolean emptyCompensation;
        // XA
        boolean worked;
        boolean prepared;
        boolean committed;
        boolean rolledBack;
        // MSG: the message's branch is the producer (its local transaction, asked by check-back) and the destination
        final boolean msg;
        /** The producer's local transaction: null while it runs, then committed or rolled back, for good. */
        Boolean localCommitted;
        int delivered;
        /** The message's key, or null. */
        String key;

        Ledger(String gid, String branchId, boolean xa, boolean refuse, boolean voteNo) {
            this(gid, branchId, xa, refuse, voteNo, false);
        }

        private Ledger(String gid, String branchId, boolean xa, boolean refuse, boolean voteNo, boolean msg) {
            this.gid = gid;
            this.branchId = branchId;
            this.xa = xa;
            this.refuse = refuse;
            this.voteNo = voteNo;
            this.msg = msg;
        }

        /** The branch holds something (a reservation, XA work, a prepared transaction) that phase 2 must end. */
        boolean holdsEffect() {
            if (msg) {
                return false; // a half message holds nothing at its destination
            }
            return xa ? (worked || prepared) && !committed && !rolledBack : tried && !confirmed && !cancelled;
        }

        boolean committedHere() {
            return msg ? delivered > 0 : xa ? committed : confirmed;
        }

        boolean abortedHere() {
            return msg ? delivered == 0 : xa ? rolledBack : cancelled;
        }

        /** Phase one succeeded here: the Try took effect (TCC), the branch voted yes (XA), the producer committed (MSG). */
        boolean readyToCommit() {
            return msg ? Boolean.TRUE.equals(localCommitted) : xa ? prepared : tried && !cancelled;
        }

        @Override
        public String toString() {
            if (msg) {
                return "msg{local=" + (localCommitted == null ? "running" : localCommitted ? "committed" : "rolled back")
                        + " delivered=" + delivered + "}";
            }
            return xa ? "xa{worked=" + worked + " prepared=" + prepared + " committed=" + committed + " rolledBack="
                    + rolledBack + "}" : "tcc{tried=" + tried + " confirmed=" + confirmed + " cancelled=" + cancelled
                    + (emptyCompensation ? " (empty)" : "") + "}";
        }
    }

    private static final Set<BranchOp> TCC_OPS = EnumSet.of(BranchOp.TRY, BranchOp.CONFIRM, BranchOp.CANCEL);
    /** An XA branch's work is the client's call, sent as TRY here. */
    private static final Set<BranchOp> XA_OPS = EnumSet.of(BranchOp.TRY, BranchOp.PREPARE, BranchOp.COMMIT,
            BranchOp.ROLLBACK);
    private static final Set<BranchOp> MSG_OPS = EnumSet.of(BranchOp.DELIVER, BranchOp.CHECK);
    private static final Set<GlobalStatus> COMMIT = EnumSet.of(GlobalStatus.COMMITTING, GlobalStatus.COMMITTED);
    private static final Set<GlobalStatus> ABORT = EnumSet.of(GlobalStatus.ABORTING, GlobalStatus.ABORTED);

    private final Map<String, Ledger> ledgers = new LinkedHashMap<>();
    private final InMemoryTransactionStore store;
    private final Checks checks;
    final Stats stats;

    ModelParticipants(InMemoryTransactionStore store, Checks checks, Stats stats) {
        this.store = store;
        this.checks = checks;
        this.stats = stats;
    }

    /** A client is about to register this branch; whether its Try or work, and its XA vote, will fail. */
    void plan(String gid, String branchId, boolean xa, boolean refuse, boolean voteNo) {
        ledgers.put(gid + "/" + branchId, new Ledger(gid, branchId, xa, refuse, voteNo));
    }

    /** A producer is about to begin a half message: its local transaction runs, nothing delivered yet. */
    void planMessage(String gid, String branchId, String key) {
        Ledger l = new Ledger(gid, branchId, false, false, false, true);
        l.key = key;
        ledgers.put(gid + "/" + branchId, l);
    }

    /** The messages of each key, in the order their commits were decided (the store's order of those writes). */
    private final Map<String, List<Ledger>> decidedByKey = new HashMap<>();

    /** A message's commit was decided: it comes after every message of its key decided before. */
    void commitDecided(String gid, String branchId) {
        Ledger l = ledger(gid, branchId);
        if (l != null && l.msg && l.key != null) {
            decidedByKey.computeIfAbsent(l.key, k -> new ArrayList<>()).add(l);
        }
    }

    Ledger ledger(String gid, String branchId) {
        return ledgers.get(gid + "/" + branchId);
    }

    Collection<Ledger> all() {
        return ledgers.values();
    }

    @Override
    public CallResult handle(BranchCall call) {
        Ledger l = ledger(call.gid(), call.branchId());
        if (l == null) {
            checks.violation("model", call.op().wire() + " of " + call.branchId() + " in " + call.gid()
                    + " reached no planned participant");
            return new CallResult(Outcome.FAILURE, 404, "unknown branch");
        }
        if (!(l.msg ? MSG_OPS : l.xa ? XA_OPS : TCC_OPS).contains(call.op())) {
            checks.violation("model", call.op().wire() + " sent to a " + (l.msg ? "MSG" : l.xa ? "XA" : "TCC") + " branch "
                    + call.branchId() + " of " + call.gid());
        }
        return switch (call.op()) {
            case TRY -> l.xa ? work(l) : tryBranch(l);
            case CONFIRM, COMMIT -> {
                phaseTwoArrives(l, call.op(), COMMIT);
                yield l.xa ? commit(l) : confirm(l);
            }
            case CANCEL, ROLLBACK -> {
                phaseTwoArrives(l, call.op(), ABORT);
                yield l.xa ? rollback(l) : cancel(l);
            }
            case PREPARE -> prepare(l);
            case DELIVER -> {
                phaseTwoArrives(l, call.op(), COMMIT); // invariant 4's "only if": the producer committed
                yield deliver(l);
            }
            case CHECK -> check(l);
        };
    }

    private void phaseTwoArrives(Ledger l, BranchOp op, Set<GlobalStatus> decided) {
        GlobalStatus durable = store.findDurable(l.gid).map(t -> t.status()).orElse(null);
        if (durable == null || !decided.contains(durable)) {
            checks.violation("1", op.wire() + " of " + l.branchId + " in " + l.gid
                    + " reached the participant while the durable status is " + durable);
        }
        if (decided == COMMIT) {
            for (BranchRecord b : store.branchesDurable(l.gid)) {
                Ledger other = ledger(l.gid, b.branchId());
                if (other == null || !other.readyToCommit()) {
                    // For a message, "its phase one" is the producer's local commit: invariant 4's "only if".
                    checks.violation(other != null && other.msg ? "4" : "3", op.wire() + " of " + l.branchId + " in " + l.gid + " while branch "
                            + b.branchId() + " did not succeed its phase one: " + other);
                }
            }
        }
    }

    /** The destination: at least once; the consumer's inbox would apply a repeat once. */
    private CallResult deliver(Ledger l) {
        if (l.delivered == 0 && l.key != null) {
            // Order per key: no message reaches the destination while one of its key decided before it has not.
            for (Ledger earlier : decidedByKey.getOrDefault(l.key, List.of())) {
                if (earlier == l) {
                    break;
                }
                if (earlier.delivered == 0) {
                    checks.violation("order", "message " + l.gid + " (key " + l.key + ") reached the destination"
                            + " before " + earlier.gid + ", whose commit was decided before it");
                }
            }
        }
        if (l.delivered++ > 0) {
            stats.duplicates++;
        }
        return answer(200, "delivered");
    }

    /** The producer's check-back endpoint answers from its local transaction, definitively once it ended. */
    private CallResult check(Ledger l) {
        stats.checkBacks++;
        if (l.localCommitted == null) {
            return answer(503, "local transaction still running");
        }
        return l.localCommitted ? answer(200, "committed") : answer(409, "rolled back");
    }

    private CallResult tryBranch(Ledger l) {
        if (l.cancelled) {
            stats.suspended++;
            return answer(409, "suspended: cancelled before the Try");
        }
        if (l.tried) {
            stats.duplicates++;
            return answer(200, "duplicate");
        }
        if (l.refuse) {
            return answer(409, "refused");
        }
        l.tried = true;
        return answer(200, "applied");
    }

    private CallResult confirm(Ledger l) {
        if (l.confirmed) {
            stats.duplicates++;
            return answer(200, "duplicate");
        }
        if (l.cancelled) {
            checks.violation("2", "confirm of " + l.branchId + " in " + l.gid + " after its cancel");
            return answer(409, "already cancelled");
        }
        l.confirmed = true;
        return answer(200, "applied");
    }

    private CallResult cancel(Ledger l) {
        if (l.cancelled) {
            stats.duplicates++;
            return answer(200, "duplicate");
        }
        if (l.confirmed) {
            checks.violation("2", "cancel of " + l.branchId + " in " + l.gid + " after its confirm");
            return answer(409, "already confirmed");
        }
        l.cancelled = true;
        if (!l.tried) {
            l.emptyCompensation = true;
            stats.emptyCompensations++;
        }
        return answer(200, "applied");
    }

    private CallResult work(Ledger l) {
        if (l.rolledBack) {
            return answer(409, "already rolled back");
        }
        if (l.worked) {
            stats.duplicates++;
            return answer(200, "duplicate");
        }
        if (l.refuse) {
            return answer(409, "work refused");
        }
        l.worked = true;
        return answer(200, "applied");
    }

    private CallResult prepare(Ledger l) {
        if (l.prepared) {
            stats.duplicates++;
            return answer(200, "duplicate");
        }
        if (!l.worked || l.rolledBack || l.committed) {
            return answer(409, "no: nothing to prepare");
        }
        if (l.voteNo) {
            l.rolledBack = true; // the database rolled the branch back: it votes no
            return answer(409, "no");
        }
        l.prepared = true;
        return answer(200, "yes");
    }

    private CallResult commit(Ledger l) {
        if (l.committed) {
            stats.duplicates++;
            return answer(200, "duplicate");
        }
        if (!l.prepared || l.rolledBack) {
            checks.violation("3", "commit of " + l.branchId + " in " + l.gid + " that is not prepared: " + l);
            return answer(409, "not prepared");
        }
        l.committed = true;
        return answer(200, "applied");
    }

    private CallResult rollback(Ledger l) {
        if (l.committed) {
            checks.violation("2", "rollback of " + l.branchId + " in " + l.gid + " after its commit");
            return answer(409, "already committed");
        }
        if (l.rolledBack) {
            stats.duplicates++;
            return answer(200, "duplicate");
        }
        l.rolledBack = true;
        return answer(200, "applied");
    }

    private static CallResult answer(int status, String detail) {
        return new CallResult(Outcome.fromHttpStatus(status), status, detail);
    }
}
