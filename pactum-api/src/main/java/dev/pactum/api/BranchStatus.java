package dev.pactum.api;

import java.util.EnumSet;
import java.util.Set;

/**
 * Status of one branch of a global transaction, with the table of legal moves.
 *
 * <pre>
 *   REGISTERED ──Confirm acknowledged──▶ CONFIRMED
 *        │
 *        └──────Cancel acknowledged───▶ CANCELLED
 * </pre>
 *
 * A branch is registered before its Try is called, so that a transaction that dies after a Try still
 * knows whom to cancel. A status may "move" to itself to record one more failed attempt.
 */
public enum BranchStatus {
    REGISTERED, CONFIRMED, CANCELLED;

    private Set<BranchStatus> next;

    static {
        REGISTERED.next = EnumSet.of(REGISTERED, CONFIRMED, CANCELLED);
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
        return this != REGISTERED;
    }
}
