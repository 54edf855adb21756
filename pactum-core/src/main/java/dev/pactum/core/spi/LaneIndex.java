package dev.pactum.core.spi;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The lanes of a store that holds them in memory (the embedded store, rebuilt from its lane keys when it opens; the
 * test kit's store): each lane's entries by {@code seq}. Thread-safe.
 *
 * <p>One sequence serves every lane, so an empty lane costs nothing (a per-lane tail kept for ever would grow with
 * every key ever used) and a new entry is still always after every entry that may still be on disk: a delivered
 * entry's removal is an unsynced write that a crash can undo, and after the rebuild the resurrected entry must stay
 * ahead of the ones decided after it. The rebuild starts the sequence after the highest stored seq of any lane.
 */
public final class LaneIndex {
    private final Map<String, TreeMap<Long, LaneEntry>> lanes = new HashMap<>();
    private long lastSeq;

    /** A new entry at the end of {@code lane}. */
    public synchronized LaneEntry append(String lane, String gid, String branchId) {
        long seq = ++lastSeq;
        LaneEntry e = new LaneEntry(lane, seq, gid, branchId);
        lanes.computeIfAbsent(lane, l -> new TreeMap<>()).put(seq, e);
        return e;
    }

    /** An entry read back from disk. */
    public synchronized void restore(LaneEntry e) {
        lanes.computeIfAbsent(e.lane(), l -> new TreeMap<>()).put(e.seq(), e);
        lastSeq = Math.max(lastSeq, e.seq());
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
        c.lastSeq = lastSeq;
        return c;
    }
}
