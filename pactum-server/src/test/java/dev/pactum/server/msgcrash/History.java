package dev.pactum.server.msgcrash;

import dev.pactum.api.GlobalStatus;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What a message crash run recorded, from the three parties that each keep their own truth; the input of
 * {@link HistoryChecker}. Every part is read after the run has settled, from the databases and the coordinator,
 * never from what the test believes happened.
 *
 * @param attempts      the producer's attempt log (written with auto-commit before each send): index to whether the
 *                      producer meant to commit it ({@code false}: its work throws on purpose, rolled back)
 * @param committedIdx  the indexes whose business row is committed in the producer's database
 * @param committedGids the gids whose barrier row of origin {@code msg} is committed in the producer's database:
 *                      the local transaction of that message committed (the check-back's own truth)
 * @param coordinator   every transaction the coordinator holds, by gid, as {@code GET /api/v1/transactions/{gid}}
 *                      answered it
 * @param deliveries    how many times the consumer received each gid, duplicates included
 * @param inbox         the gids in the consumer's inbox table (committed with the effect)
 * @param effects       the consumer's effect rows, one per application (no unique key: a second one is a bug)
 */
record History(Map<Integer, Boolean> attempts, Set<Integer> committedIdx, Set<String> committedGids,
               Map<String, CoordinatorView> coordinator, Map<String, Integer> deliveries, Set<String> inbox,
               List<Effect> effects) {

    History {
        attempts = Map.copyOf(attempts);
        committedIdx = Set.copyOf(committedIdx);
        committedGids = Set.copyOf(committedGids);
        coordinator = Map.copyOf(coordinator);
        deliveries = Map.copyOf(deliveries);
        inbox = Set.copyOf(inbox);
        effects = List.copyOf(effects);
    }

    /**
     * The coordinator's final view of one message.
     *
     * @param idx the producer's index, read from the message's payload ({@code idx=N}); -1 when there is none
     */
    record CoordinatorView(String gid, GlobalStatus status, String reason, int idx) {
        CoordinatorView {
            Objects.requireNonNull(gid, "gid");
            Objects.requireNonNull(status, "status");
        }
    }

    /** One row of the consumer's effect table: the message it applied and the index its payload carried. */
    record Effect(String gid, int idx) {
    }
}
