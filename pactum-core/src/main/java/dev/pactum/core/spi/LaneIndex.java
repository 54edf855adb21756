package dev.pactum.core.spi;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The lanes of a store that holds them in memory (the embedded store, rebuilt from its lane keys when it opens; the
 * test kit's store): each lane's entries by {@code seq}. Thread-safe. A lane's last seq is kept after it empties, so
 * a seq is never given twice while the index lives; after a rebuild a lane starts again after its highest stored
 * entry, which is all the order needs (seqs compare only within the entries present).
 */
public final class LaneIndex {
    private final Map<String, TreeMap<Long, LaneEntry>> lanes = new HashMap<>();
    private final Map<String, Long> tails = new HashMap<>();

    /** A new entry at the end of {@code lane}. */
    public synchronized LaneEntry append(String lane, String gid, String branchId) {
        long seq = tails.merge(lane, 1L, Long::sum);
        LaneEntry e = new LaneEntry(lane, seq, gid, branchId);
        lanes.computeIfAbsent(lane, l -> new TreeMap<>()).put(seq, e);
        return e;
    }

    /** An entry read back from disk. */
    public synchronized void restore(LaneEntry e) {
        lanes.computeIfAbsent(e.lane(), l -> new TreeMap<>()).put(e.seq(), e);
        tails.merge(e.lane(), e.seq(), Math::max);
    }

    /** The entry of branch {@code (gid, branchId)} in {@code lane}, if it has one. */
    public synchronized Optional<LaneEntry> find(String lane, String gid, String branchId) {
        TreeMap<Long, LaneEntry> entries = lanes.get(lane);
        return entries == null ? Optional.empty()
                : entries.values().stream().filter(e -> e.is(gid, branchId)).findFirst();
    }

    public synchronized void remove(LaneEntry e) {
        TreeMap<Long, LaneEntry> entries = lanes.get(e.lane());
        if (entries != null && entries.remove(e.seq(), e) && entries.isEmpty()) {
            lanes.remove(e.lane());
        }
    }

    public synchronized Optional<LaneEntry> head(String lane) {
        TreeMap<Long, LaneEntry> entries = lanes.get(lane);
        return entries == null ? Optional.empty() : Optional.of(entries.firstEntry().getValue());
    }

    /** An independent copy (the test kit's store keeps one as "what survives a crash"). */
    public synchronized LaneIndex copy() {
        LaneIndex c = new LaneIndex();
        lanes.forEach((lane, entries) -> c.lanes.put(lane, new TreeMap<>(entries)));
        c.tails.putAll(tails);
        return c;
    }
}
