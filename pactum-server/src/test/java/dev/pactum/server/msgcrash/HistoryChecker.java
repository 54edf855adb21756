package dev.pactum.server.msgcrash;

import dev.pactum.api.GlobalStatus;
import dev.pactum.server.msgcrash.History.CoordinatorView;
import dev.pactum.server.msgcrash.History.Effect;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Invariant 4 over a recorded {@link History}: a message is delivered if and only if its producer's local
 * transaction committed, and applied exactly once by the consumer; nothing is lost, nothing is left unfinished,
 * nothing is parked without a reason.
 *
 * <p>The rules, each reported with the ids and what every party says about them:
 * <ol>
 *   <li>every transaction the coordinator holds is COMMITTED or ABORTED, or PARKED with its reason;</li>
 *   <li>a committed local transaction (its barrier row and its business row) has exactly one message, COMMITTED,
 *       in the inbox, applied exactly once;</li>
 *   <li>a message whose local transaction did not commit (no barrier row of origin {@code msg}) is not COMMITTED
 *       and was never delivered, never applied;</li>
 *   <li>an index the producer rolled back on purpose has no committed business row and no effect;</li>
 *   <li>nothing was delivered, applied or put in the inbox for a gid the coordinator does not hold.</li>
 * </ol>
 * It collects every problem instead of stopping at the first, so one run shows the whole picture.
 */
final class HistoryChecker {
    private HistoryChecker() {
    }

    /** What the check found: the problems (empty means the history is correct) and counts for the summary. */
    record Verdict(List<String> problems, Map<String, Integer> counts) {
        boolean ok() {
            return problems.isEmpty();
        }

        @Override
        public String toString() {
            return counts + (problems.isEmpty() ? ", no problems"
                    : ", " + problems.size() + " problems:\n  " + String.join("\n  ", problems));
        }
    }

    static Verdict check(History h) {
        List<String> p = new ArrayList<>();
        Map<String, Integer> counts = new TreeMap<>();
        Map<String, Integer> effectsByGid = new HashMap<>();
        Map<Integer, Integer> effectsByIdx = new HashMap<>();
        for (Effect e : h.effects()) {
            effectsByGid.merge(e.gid(), 1, Integer::sum);
            effectsByIdx.merge(e.idx(), 1, Integer::sum);
        }
        Map<Integer, List<CoordinatorView>> gidsByIdx = new TreeMap<>();
        for (CoordinatorView v : h.coordinator().values()) {
            gidsByIdx.computeIfAbsent(v.idx(), k -> new ArrayList<>()).add(v);
        }

        // 1. Settled: final, or parked with a record of why.
        for (CoordinatorView v : new TreeMap<>(h.coordinator()).values()) {
            counts.merge(v.status().name(), 1, Integer::sum);
            boolean parkedWithReason = v.status() == GlobalStatus.PARKED && v.reason() != null && !v.reason().isBlank();
            if (!v.status().isFinal() && !parkedWithReason) {
                p.add(describe(h, v, effectsByGid) + ": not settled (neither COMMITTED nor ABORTED nor PARKED with a"
                        + " reason)");
            }
        }

        // 2. Every committed local transaction: its message committed, delivered, applied once.
        for (int idx : new TreeSet<>(h.committedIdx())) {
            List<CoordinatorView> views = gidsByIdx.getOrDefault(idx, List.of());
            List<CoordinatorView> committedLocally = views.stream()
                    .filter(v -> h.committedGids().contains(v.gid())).toList();
            if (committedLocally.size() != 1) {
                p.add("idx " + idx + ": its business row is committed, but " + committedLocally.size()
                        + " of its messages " + views + " have a committed barrier row (need exactly 1)");
            }
            if (effectsByIdx.getOrDefault(idx, 0) != 1) {
                p.add("idx " + idx + ": committed locally, applied " + effectsByIdx.getOrDefault(idx, 0)
                        + " times (need exactly 1): " + (effectsByIdx.containsKey(idx) ? "a duplicate effect"
                        : "a lost message"));
            }
        }
        for (String gid : new TreeSet<>(h.committedGids())) {
            CoordinatorView v = h.coordinator().get(gid);
            if (v == null) {
                p.add(gid + ": its local transaction committed, but the coordinator does not hold it");
                continue;
            }
            String where = describe(h, v, effectsByGid);
            if (v.status() != GlobalStatus.COMMITTED) {
                p.add(where + ": its local transaction committed, but the message is not COMMITTED (not delivered)");
            }
            if (!h.committedIdx().contains(v.idx())) {
                p.add(where + ": its barrier row is committed but its business row is not (they share a transaction)");
            }
            if (!h.inbox().contains(gid)) {
                p.add(where + ": committed, but not in the consumer's inbox");
            }
            if (effectsByGid.getOrDefault(gid, 0) != 1) {
                p.add(where + ": committed, applied " + effectsByGid.getOrDefault(gid, 0) + " times (need exactly 1)");
            }
        }

        // 3. Every message whose local transaction did not commit: never delivered, never applied.
        for (CoordinatorView v : new TreeMap<>(h.coordinator()).values()) {
            if (h.committedGids().contains(v.gid())) {
                continue;
            }
            String where = describe(h, v, effectsByGid);
            if (v.status() == GlobalStatus.COMMITTED || v.status() == GlobalStatus.COMMITTING) {
                p.add(where + ": " + v.status() + " though its local transaction did not commit");
            }
            if (h.deliveries().containsKey(v.gid()) || h.inbox().contains(v.gid())
                    || effectsByGid.containsKey(v.gid())) {
                p.add(where + ": delivered or applied though its local transaction did not commit");
            }
        }

        // 4. Rolled back on purpose: no business row, no effect.
        for (Map.Entry<Integer, Boolean> a : new TreeMap<>(h.attempts()).entrySet()) {
            boolean meantToCommit = a.getValue();
            counts.merge(meantToCommit ? "attempts to commit" : "attempts rolled back on purpose", 1, Integer::sum);
            if (!meantToCommit && (h.committedIdx().contains(a.getKey()) || effectsByIdx.containsKey(a.getKey()))) {
                p.add("idx " + a.getKey() + ": rolled back on purpose, yet " + (h.committedIdx().contains(a.getKey())
                        ? "its business row is committed" : "it was applied"));
            }
        }
        for (int idx : h.committedIdx()) {
            if (!h.attempts().containsKey(idx)) {
                p.add("idx " + idx + ": a committed business row without an attempt record");
            }
        }

        // 5. Nothing the coordinator does not hold.
        TreeSet<String> foreign = new TreeSet<>();
        h.deliveries().keySet().stream().filter(g -> !h.coordinator().containsKey(g)).forEach(foreign::add);
        h.inbox().stream().filter(g -> !h.coordinator().containsKey(g)).forEach(foreign::add);
        effectsByGid.keySet().stream().filter(g -> !h.coordinator().containsKey(g)).forEach(foreign::add);
        for (String g : foreign) {
            p.add(g + ": delivered or applied, but the coordinator does not hold it");
        }

        counts.put("committed locally", h.committedIdx().size());
        counts.put("effects", h.effects().size());
        counts.put("deliveries", h.deliveries().values().stream().mapToInt(Integer::intValue).sum());
        return new Verdict(List.copyOf(p), Map.copyOf(counts));
    }

    private static String describe(History h, CoordinatorView v, Map<String, Integer> effectsByGid) {
        return v.gid() + " (idx " + v.idx() + ", " + v.status() + (v.reason() != null ? ", reason " + v.reason() : "")
                + ", local " + (h.committedGids().contains(v.gid()) ? "committed" : "not committed")
                + ", intent " + switch (h.attempts().get(v.idx())) {
                    case null -> "unknown";
                    case Boolean b when b -> "commit";
                    default -> "roll back";
                }
                + ", delivered " + h.deliveries().getOrDefault(v.gid(), 0) + "x, inbox " + h.inbox().contains(v.gid())
                + ", effects " + effectsByGid.getOrDefault(v.gid(), 0) + ")";
    }
}
