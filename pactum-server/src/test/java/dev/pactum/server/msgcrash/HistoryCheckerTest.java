package dev.pactum.server.msgcrash;

import dev.pactum.api.GlobalStatus;
import dev.pactum.server.msgcrash.History.CoordinatorView;
import dev.pactum.server.msgcrash.History.Effect;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The checker must fail on every kind of broken history, or the crash tests prove nothing. */
class HistoryCheckerTest {

    /**
     * A correct history: idx 0 committed (delivered twice, applied once), idx 1 rolled back on purpose (aborted),
     * idx 2 committed after a first message whose begin answer was lost (that one aborted by its check-back).
     */
    private static final class Builder {
        final Map<Integer, Boolean> attempts = new HashMap<>(Map.of(0, true, 1, false, 2, true));
        final Set<Integer> committedIdx = new HashSet<>(Set.of(0, 2));
        final Set<String> committedGids = new HashSet<>(Set.of("g0", "g2"));
        final Map<String, CoordinatorView> coordinator = new HashMap<>(Map.of(
                "g0", view("g0", GlobalStatus.COMMITTED, 0),
                "g1", view("g1", GlobalStatus.ABORTED, 1),
                "g2a", view("g2a", GlobalStatus.ABORTED, 2),
                "g2", view("g2", GlobalStatus.COMMITTED, 2)));
        final Map<String, Integer> deliveries = new HashMap<>(Map.of("g0", 2, "g2", 1));
        final Set<String> inbox = new HashSet<>(Set.of("g0", "g2"));
        final List<Effect> effects = new ArrayList<>(List.of(new Effect("g0", 0), new Effect("g2", 2)));

        History build() {
            return new History(attempts, committedIdx, committedGids, coordinator, deliveries, inbox, effects);
        }
    }

    private static CoordinatorView view(String gid, GlobalStatus status, int idx) {
        return new CoordinatorView(gid, status, status == GlobalStatus.ABORTED ? "check-back: rolled back" : null, idx);
    }

    @Test
    void aCorrectHistoryPasses() {
        HistoryChecker.Verdict v = HistoryChecker.check(new Builder().build());
        assertThat(v.problems()).isEmpty();
        assertThat(v.counts()).containsEntry("COMMITTED", 2).containsEntry("ABORTED", 2)
                .containsEntry("effects", 2).containsEntry("deliveries", 3);
    }

    @Test
    void aDuplicateEffectFails() {
        Builder b = new Builder();
        b.effects.add(new Effect("g0", 0));
        assertThat(HistoryChecker.check(b.build()).problems())
                .anyMatch(s -> s.startsWith("idx 0: committed locally, applied 2 times") && s.contains("duplicate"))
                .anyMatch(s -> s.startsWith("g0 ") && s.contains("applied 2 times"));
    }

    @Test
    void aMissingMessageFails() {
        Builder b = new Builder();
        b.effects.removeIf(e -> e.gid().equals("g2"));
        b.inbox.remove("g2");
        assertThat(HistoryChecker.check(b.build()).problems())
                .anyMatch(s -> s.startsWith("idx 2: committed locally, applied 0 times") && s.contains("lost"))
                .anyMatch(s -> s.startsWith("g2 ") && s.contains("not in the consumer's inbox"));
    }

    @Test
    void aCommittedMessageTheCoordinatorLostFails() {
        Builder b = new Builder();
        b.coordinator.remove("g2");
        b.deliveries.remove("g2");
        b.inbox.remove("g2");
        b.effects.removeIf(e -> e.gid().equals("g2"));
        assertThat(HistoryChecker.check(b.build()).problems())
                .anyMatch(s -> s.startsWith("g2: its local transaction committed, but the coordinator does not hold"));
    }

    @Test
    void aDeliveredRolledBackMessageFails() {
        Builder b = new Builder();
        b.coordinator.put("g1", view("g1", GlobalStatus.COMMITTED, 1));
        b.deliveries.put("g1", 1);
        b.inbox.add("g1");
        b.effects.add(new Effect("g1", 1));
        assertThat(HistoryChecker.check(b.build()).problems())
                .anyMatch(s -> s.startsWith("g1 ") && s.contains("COMMITTED though its local transaction did not"))
                .anyMatch(s -> s.startsWith("g1 ") && s.contains("delivered or applied though"))
                .anyMatch(s -> s.startsWith("idx 1: rolled back on purpose, yet it was applied"));
    }

    @Test
    void aDeliveryOfAnAbortedMessageFails() {
        // Delivered but dropped by the consumer: still a breach, the broker saw a message that must not exist.
        Builder b = new Builder();
        b.deliveries.put("g2a", 1);
        assertThat(HistoryChecker.check(b.build()).problems())
                .containsExactly(b.build().coordinator().get("g2a").gid() + " (idx 2, ABORTED, reason check-back:"
                        + " rolled back, local not committed, intent commit, delivered 1x, inbox false, effects 0):"
                        + " delivered or applied though its local transaction did not commit");
    }

    @Test
    void anUnfinishedOrSilentlyParkedMessageFails() {
        Builder b = new Builder();
        b.coordinator.put("g3", view("g3", GlobalStatus.ACTIVE, 3));
        b.coordinator.put("g4", new CoordinatorView("g4", GlobalStatus.PARKED, " ", 4));
        b.coordinator.put("g5", new CoordinatorView("g5", GlobalStatus.PARKED, "parked after 15 check-backs", 5));
        List<String> problems = HistoryChecker.check(b.build()).problems();
        assertThat(problems).anyMatch(s -> s.startsWith("g3 ") && s.contains("not settled"))
                .anyMatch(s -> s.startsWith("g4 ") && s.contains("not settled"))
                .noneMatch(s -> s.startsWith("g5 "));
    }

    @Test
    void aCommittedLocalTransactionWhoseMessageIsParkedFails() {
        Builder b = new Builder();
        b.coordinator.put("g2", new CoordinatorView("g2", GlobalStatus.PARKED, "parked after 15 check-backs", 2));
        assertThat(HistoryChecker.check(b.build()).problems())
                .anyMatch(s -> s.startsWith("g2 ") && s.contains("not COMMITTED (not delivered)"));
    }

    @Test
    void anEffectOfAGidNobodySentFails() {
        Builder b = new Builder();
        b.effects.add(new Effect("ghost", 9));
        assertThat(HistoryChecker.check(b.build()).problems())
                .contains("ghost: delivered or applied, but the coordinator does not hold it");
    }
}
