package dev.pactum.api;

import java.util.EnumSet;
import java.util.Set;

/**
 * Status of one branch of a global transaction, with the table of legal moves.
 *
 * <pre>
 *   REGISTERED ──────────────────────Confirm / XA commit acknowledged──▶ CONFIRMED
 *        │  └── XA prepare: yes ──▶ PREPARED ──┘
 *        │                            │
 *        └─────────────────────────────┴──Cancel / XA rollback acknowledged──▶ CANCELLED
 * </pre>
 *
 * A branch is registered before its Try (TCC) or its work (XA) is called, so that a transaction that dies
 * afterwards still knows whom to cancel or roll back. For XA, CONFIRMED means committed and CANCELLED rolled
 * back. A status may "move" to itself to record one more failed attempt.
 */
public enum BranchStatus {
    REGISTERED, PREPARED, CONFIRMED, CANCELLED;

    private Set<BranchStatus> next;

    static {
        REGISTERED.next = EnumSet.of(REGISTERED, PREPARED, CONFIRMED, CANCELLED);
        PREPARED.next = EnumSet.of(PREPARED, CONFIRMED, CANCELLED);
        CONFIRMED.next = EnumSet.noneOf(BranchStatus.class);
        CANCELLED.next = EnumSet.noneOf(BranchStatus.class);
    }

    public boolean canMoveTo(BranchStatus target) {
        return next.contains(target);
    }

    public BranchStatus checkMoveTo(BranchStatus target, String gid, String branchId) {
        if (!canMoveTo(target)) {
            throw new IllegalTransitionException(
                    "branch " + branchId + " of " + gid + " cannot move from " + this + " to " + target, gid, name());
        }
        return target;
    }

    public boolean isFinal() {
        return this == CONFIRMED || this == CANCELLED;
    }
}
