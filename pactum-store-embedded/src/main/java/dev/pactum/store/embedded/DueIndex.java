package dev.pactum.store.embedded;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

/**
 * In-memory index of unfinished transactions by the time a worker should next look at them. Rebuilt from the
 * status index when the store opens; only this process can open the store, so memory is the whole truth.
 * Callers hold the transaction's stripe lock while they change its entry.
 */
final class DueIndex {
    private record Entry(long dueMillis, String gid) implements Comparable<Entry> {
        @Override
        public int compareTo(Entry o) {
            int c = Long.compare(dueMillis, o.dueMillis);
            return c != 0 ? c : gid.compareTo(o.gid);
        }
    }

    private final ConcurrentSkipListSet<Entry> byDue = new ConcurrentSkipListSet<>();
    private final Map<String, Entry> byGid = new ConcurrentHashMap<>();

    void put(String gid, Instant due) {
        Entry e = new Entry(due == null ? Long.MAX_VALUE : due.toEpochMilli(), gid);
        Entry old = byGid.put(gid, e);
        if (old != null) {
            byDue.remove(old);
        }
        byDue.add(e);
    }

    void remove(String gid) {
        Entry old = byGid.remove(gid);
        if (old != null) {
            byDue.remove(old);
        }
    }

    /** Gids due at or before {@code now}, earliest first; a live view, read lazily by the caller. */
    Iterable<String> dueAt(Instant now) {
        Entry last = new Entry(now.toEpochMilli(), "\uffff");
        return () -> byDue.headSet(last, true).stream().map(Entry::gid).iterator();
    }

    /** A snapshot of every unfinished gid. */
    java.util.List<String> all() {
        return java.util.List.copyOf(byGid.keySet());
    }

    int size() {
        return byGid.size();
    }
}
