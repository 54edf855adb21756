package dev.pactum.api;

import java.util.EnumSet;
import java.util.Set;

/**
 * Status of a global transaction, with the table of legal moves.
 *
 * <pre>
 *            submit, TCC (all Trys succeeded)
 *   ACTIVE ──────────────────────────────────────────▶ COMMITTING ──all branches confirmed──▶ COMMITTED
 *     │  │                                                ▲
 *     │  └─ submit, XA ─▶ PREPARING ──every branch yes────┘
 *     │                       │
 *     │                       └── a no, a timeout, or no decision recorded (presumed abort) ──┐
 *     │                                                                                      ▼
 *     └── abort / failed Try / timeout ─────────────────────────────────────────────▶ ABORTING ──all rolled back──▶ ABORTED
 *
 *   ACTIVE ──checks exhausted (MSG)──▶ PARKED ──operator's resolve (or the producer's late commit / rollback)──▶ COMMITTING | ABORTING
 * </pre>
 *
 * COMMITTING and ABORTING are the two decisions: once a transaction is in one of them, it can only
 * go on to the matching final status. PREPARING (XA phase one) is not a decision: a coordinator that finds a
 * PREPARING transaction nobody is voting on aborts it. A status may also "move" to itself, which is how a
 * worker records a retry schedule or a lease without changing the decision.
 *
 * <p>PARKED is neither final nor a decision: a record whose automatic handling is exhausted (a half message whose
 * producer never answered its check-backs) waits there, visible and counted by an alert metric, with no due time,
 * until an operator resolves it to COMMITTING or ABORTING. Each pattern uses a subset of this union table
 * ({@code StateTable} in pactum-core); only MSG enters PARKED today.
 */
public enum GlobalStatus {
    ACTIVE, PREPARING, COMMITTING, ABORTING, COMMITTED, ABORTED, PARKED;

    private Set<GlobalStatus> next;

    static {
        ACTIVE.next = EnumSet.of(ACTIVE, PREPARING, COMMITTING, ABORTING, PARKED);
        PREPARING.next = EnumSet.of(PREPARING, COMMITTING, ABORTING);
        COMMITTING.next = EnumSet.of(COMMITTING, COMMITTED);
        ABORTING.next = EnumSet.of(ABORTING, ABORTED);
        COMMITTED.next = EnumSet.noneOf(GlobalStatus.class);
        ABORTED.next = EnumSet.noneOf(GlobalStatus.class);
        PARKED.next = EnumSet.of(PARKED, COMMITTING, ABORTING);
    }

    public boolean canMoveTo(GlobalStatus target) {
        return next.contains(target);
    }

    /** Throws {@link IllegalTransitionException} naming the transaction when the move is not in the table. */
    public GlobalStatus checkMoveTo(GlobalStatus target, String gid) {
        if (!canMoveTo(target)) {
            throw new IllegalTransitionException("global transaction " + gid + " cannot move from " + this + " to " + target, gid, name());
        }
        return target;
    }

    public boolean isFinal() {
        return this == COMMITTED || this == ABORTED;
    }

    /** True for the two statuses that record the global decision. */
    public boolean isDecision() {
        return this == COMMITTING || this == ABORTING;
    }
}
