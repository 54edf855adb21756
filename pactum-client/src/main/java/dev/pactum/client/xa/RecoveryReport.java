package dev.pactum.client.xa;

/**
 * What one recovery pass ({@link XaParticipant#recoverOnce()}, {@link XaParticipant#runOnce()}) found and did.
 *
 * @param prepared          prepared Pactum xids the database listed that this participant looks after
 * @param committed         of those, committed because the coordinator decided commit
 * @param rolledBack        rolled back because the coordinator decided abort
 * @param undecided         left alone: the coordinator has not decided yet
 * @param orphansWaiting    left alone: the coordinator does not know the gid, grace period not over yet
 * @param orphansRolledBack rolled back: the coordinator has not known the gid for longer than the grace period
 * @param unreachable       left alone: the coordinator could not be asked
 * @param failed            a commit or rollback was attempted and must be tried again (database trouble)
 * @param inFlight          skipped: prepared here moments ago, phase 2 is expected from the coordinator
 * @param foreign           skipped: another format id, or a filter excluded the branch
 * @param idleRolledBack    idle branches rolled back because no prepare came within the idle timeout
 */
public record RecoveryReport(int prepared, int committed, int rolledBack, int undecided, int orphansWaiting,
                             int orphansRolledBack, int unreachable, int failed, int inFlight, int foreign,
                             int idleRolledBack) {
    static final RecoveryReport EMPTY = new RecoveryReport(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    /** Branches this pass finished: committed, rolled back or rolled back as orphans. */
    public int settled() {
        return committed + rolledBack + orphansRolledBack;
    }

    /** Prepared branches still waiting after this pass (undecided, orphans in grace, unreachable, failed). */
    public int pending() {
        return undecided + orphansWaiting + unreachable + failed;
    }

    RecoveryReport withIdleRolledBack(int n) {
        return new RecoveryReport(prepared, committed, rolledBack, undecided, orphansWaiting, orphansRolledBack,
                unreachable, failed, inFlight, foreign, n);
    }
}
