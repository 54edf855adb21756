package dev.pactum.store.embedded;

import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The records of the unfinished transactions and their branches, in memory, written through by the store: the
 * request path (a submit's find and branches, its compare-and-set, the phase-2 round's branches and its final write)
 * reads them here instead of a RocksDB get or an iterator each (six reads per committed TCC transaction).
 *
 * <p>RocksDB stays the truth: an entry changes only under the gid's stripe lock, after its write was accepted, and a
 * transaction leaves when it reaches a final status (later reads go to RocksDB, through the store's wait for writes
 * in flight). At most {@code limit} transactions are held; a transaction begun while it is full is read from RocksDB
 * all its life, so a burst of unfinished work costs reads, not memory. Rebuilt on open from the status index.
 *
 * <p>A branch's place in {@link Entry#branches} is its registration seq, as in its key ({@code b/{gid}/{seq}}).
 */
final class LiveTransactions {
    /** One transaction as stored: its record and its branches in registration order (both immutable). */
    record Entry(GlobalTransaction tx, List<BranchRecord> branches) {
        Entry {
            branches = List.copyOf(branches);
        }
    }

    private final ConcurrentHashMap<String, Entry> byGid = new ConcurrentHashMap<>();
    private final int limit;

    LiveTransactions(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative, was " + limit);
        }
        this.limit = limit;
    }

    Entry get(String gid) {
        return byGid.get(gid);
    }

    boolean hasRoom() {
        return byGid.mappingCount() < limit;
    }

    /** A transaction just begun (or found unfinished on open): held if there is room, else left to RocksDB. */
    void add(GlobalTransaction tx, List<BranchRecord> branches) {
        if (!tx.status().isFinal() && hasRoom()) {
            byGid.put(tx.gid(), new Entry(tx, branches));
        }
    }

    /** The record moved on (same branches); a final status takes the transaction out. Only if it is held. */
    void moved(GlobalTransaction next) {
        if (next.status().isFinal()) {
            byGid.remove(next.gid());
        } else {
            byGid.computeIfPresent(next.gid(), (g, e) -> new Entry(next, e.branches()));
        }
    }

    /** A branch was added (with the record's new version). Only if the transaction is held. */
    void branchAdded(GlobalTransaction tx, BranchRecord added) {
        byGid.computeIfPresent(tx.gid(), (g, e) -> {
            List<BranchRecord> bs = new ArrayList<>(e.branches().size() + 1);
            bs.addAll(e.branches());
            bs.add(added);
            return new Entry(tx, bs);
        });
    }

    /** Branches at the given places were replaced; {@code next} is the record's new state, or null if unchanged. */
    void branchesUpdated(String gid, int[] places, BranchRecord[] updated, GlobalTransaction next) {
        if (next != null && next.status().isFinal()) {
            byGid.remove(gid);
            return;
        }
        byGid.computeIfPresent(gid, (g, e) -> {
            List<BranchRecord> bs = new ArrayList<>(e.branches());
            for (int i = 0; i < places.length; i++) {
                bs.set(places[i], updated[i]);
            }
            return new Entry(next == null ? e.tx() : next, bs);
        });
    }

    int size() {
        return byGid.size();
    }
}
