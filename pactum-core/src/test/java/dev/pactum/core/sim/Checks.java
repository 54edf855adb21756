package dev.pactum.core.sim;

import dev.pactum.api.BranchStatus;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.IllegalTransitionException;
import dev.pactum.api.TxPattern;
import dev.pactum.core.StateTable;
import dev.pactum.core.msg.MsgPattern;
import dev.pactum.core.tcc.TccPattern;
import dev.pactum.core.xa.XaPattern;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.testkit.InMemoryTransactionStore;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The violations of one schedule, each named by the DESIGN.md invariant it breaks, and the checks that run on every
 * store write (the store calls this observer): invariant 7, every stored change is a legal move of the tables,
 * versions and attempt counts grow one by one; and that the coordinator records a branch as done only after its
 * participant really did it (the coordinator side of invariant 2), under the matching decision.
 */
final class Checks implements InMemoryTransactionStore.Observer {
    private final List<String> violations = new ArrayList<>();
    private final Map<String, GlobalStatus> statusOf = new HashMap<>();
    private final Trace trace;
    private final Supplier<Instant> now;
    private ModelParticipants participants;

    Checks(Trace trace, Supplier<Instant> now) {
        this.trace = trace;
        this.now = now;
    }

    void participants(ModelParticipants p) {
        this.participants = p;
    }

    void violation(String invariant, String what) {
        String v = (invariant.chars().allMatch(Character::isDigit) ? "invariant " : "") + invariant + ": " + what;
        violations.add(v);
        trace.add(now.get(), 1, "CHECK", "VIOLATION " + v);
    }

    List<String> violations() {
        return List.copyOf(violations);
    }

    /** Each pattern's own table: a move legal in the union table may still be foreign to the pattern. */
    private static final Map<TxPattern, StateTable> PATTERN_TABLES = Map.of(TxPattern.TCC, TccPattern.TABLE,
            TxPattern.XA, XaPattern.TABLE, TxPattern.MSG, MsgPattern.TABLE);

    @Override
    public void globalWritten(GlobalTransaction before, GlobalTransaction after, boolean synced) {
        if (before == null) {
            if (after.status() != GlobalStatus.ACTIVE || after.version() != 0) {
                violation("7", after.gid() + " stored new as " + after.status() + " v" + after.version());
            }
        } else {
            if (!before.status().canMoveTo(after.status())) {
                violation("7", after.gid() + " stored " + before.status() + " -> " + after.status());
            } else if (!PATTERN_TABLES.get(after.pattern()).allows(before.status(), after.status())) {
                violation("7", after.gid() + " stored " + before.status() + " -> " + after.status()
                        + ", a move the " + after.pattern() + " table does not allow");
            }
            if (after.version() != before.version() + 1) {
                violation("7", after.gid() + " version " + before.version() + " -> " + after.version());
            }
            if (after.status().isFinal() && (after.owner() != null || after.nextAttemptAt() != null)) {
                violation("7", after.gid() + " is " + after.status() + " but keeps a lease or a schedule");
            }
            if (after.pattern() == TxPattern.MSG && after.status() == GlobalStatus.COMMITTING
                    && before.status() != GlobalStatus.COMMITTING) {
                participants.commitDecided(after.gid(), SimProducer.BRANCH); // the order per key to check against
            }
        }
        statusOf.put(after.gid(), after.status());
    }

    @Override
    public void branchWritten(BranchRecord before, BranchRecord after, boolean synced) {
        String id = after.branchId() + " of " + after.gid();
        if (before == null) {
            if (after.status() != BranchStatus.REGISTERED || after.attempts() != 0) {
                violation("7", "branch " + id + " stored new as " + after.status() + " after " + after.attempts());
            }
            return;
        }
        if (!before.status().canMoveTo(after.status())) {
            violation("7", "branch " + id + " stored " + before.status() + " -> " + after.status());
        }
        if (after.attempts() != before.attempts() + 1) {
            violation("7", "branch " + id + " attempts " + before.attempts() + " -> " + after.attempts());
        }
        if (after.lastError() != null && after.lastError().startsWith("waiting for message")) {
            participants.stats.orderWaits++;
        }
        if (after.status() == before.status()) {
            return;
        }
        GlobalStatus global = statusOf.get(after.gid());
        ModelParticipants.Ledger l = participants.ledger(after.gid(), after.branchId());
        switch (after.status()) {
            case PREPARED -> {
                // Branch updates are not fenced by the global version (docs/core.md, leases): a slow voter may record
                // a yes after another node presumed the transaction aborted. Harmless, the rollback follows.
                if (!(global == GlobalStatus.PREPARING || global == GlobalStatus.ABORTING) || l == null || !l.prepared) {
                    violation("3", "branch " + id + " recorded PREPARED while the transaction is " + global
                            + " and the participant holds " + l);
                }
            }
            case CONFIRMED -> {
                if (global != GlobalStatus.COMMITTING || l == null || !l.committedHere()) {
                    violation("2", "branch " + id + " recorded CONFIRMED while the transaction is " + global
                            + " and the participant holds " + l);
                }
            }
            case CANCELLED -> {
                if (global != GlobalStatus.ABORTING || l == null || !l.abortedHere()) {
                    violation("2", "branch " + id + " recorded CANCELLED while the transaction is " + global
                            + " and the participant holds " + l);
                }
            }
            default -> violation("7", "branch " + id + " stored " + before.status() + " -> " + after.status());
        }
    }

    @Override
    public void refused(IllegalTransitionException e) {
        violation("7", "the core attempted an illegal move: " + e.getMessage());
    }
}
