package dev.pactum.client.xa;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a branch held by this process stands, with the table of legal moves.
 *
 * <pre>
 *   WORKING ──work ok, xa.end(TMSUCCESS)──▶ IDLE ──xa.prepare, connection closed──▶ PREPARED
 *      │                                    │                                        │
 *      │ work failed: end(TMFAIL),          │ rollback, idle timeout, close(),       │ commit / rollback
 *      │ rollback, close                    │ prepare voted no or read-only          │ (any connection)
 *      ▼                                    ▼                                        ▼
 *    ENDED ◀────────────────────────────── ENDED ◀────────────────────────────────── ENDED
 * </pre>
 *
 * WORKING and IDLE hold an open XA connection and the branch's row locks; PREPARED holds no connection (the
 * database keeps the prepared transaction and its locks); ENDED is gone from the table of held branches.
 */
enum BranchState {
    WORKING, IDLE, PREPARED, ENDED;

    private Set<BranchState> next;

    static {
        WORKING.next = EnumSet.of(IDLE, ENDED);
        IDLE.next = EnumSet.of(PREPARED, ENDED);
        PREPARED.next = EnumSet.of(ENDED);
        ENDED.next = EnumSet.noneOf(BranchState.class);
    }

    /** @throws IllegalStateException when the move is not in the table: always a bug */
    BranchState checkMoveTo(BranchState target, XaBranchId branch) {
        if (!next.contains(target)) {
            throw new IllegalStateException("XA branch " + branch + " cannot move from " + this + " to " + target);
        }
        return target;
    }
}
