package dev.pactum.store.embedded;

import java.util.ArrayList;
import java.util.List;

/**
 * What one store operation writes: puts and deletes, applied atomically, as plain Java bytes.
 *
 * <p>Why not a RocksDB {@code WriteBatch}: a native batch belongs to whoever frees it. When the caller built it and
 * handed it to the writer thread, an interrupted caller freed it (try-with-resources) while the writer could still be
 * reading it. A mutation holds no native memory, so the caller may drop it at any time; only the writer thread ever
 * builds a native batch, and it frees that batch itself after the write.
 *
 * @param ops  the changes in order; a later op on the same key wins, as in a {@code WriteBatch}
 * @param sync whether the write must be on disk (WAL fsync'd) before its caller hears "written"
 * @param what what the write is, for error messages ("begin g-1")
 */
record Mutation(List<Op> ops, boolean sync, String what) {
    Mutation {
        ops = List.copyOf(ops);
        if (ops.isEmpty()) {
            throw new IllegalArgumentException("a mutation needs at least one op: " + what);
        }
    }

    /** One put ({@code value != null}) or delete ({@code value == null}). */
    record Op(byte[] key, byte[] value) {
    }

    static Builder builder(String what) {
        return new Builder(what);
    }

    static final class Builder {
        private final String what;
        private final List<Op> ops = new ArrayList<>(4);

        private Builder(String what) {
            this.what = what;
        }

        Builder put(byte[] key, byte[] value) {
            ops.add(new Op(key, value));
            return this;
        }

        Builder delete(byte[] key) {
            ops.add(new Op(key, null));
            return this;
        }

        boolean isEmpty() {
            return ops.isEmpty();
        }

        /** A write that is fsync'd before it counts as written: begin, a branch, a decision. */
        Mutation synced() {
            return new Mutation(ops, true, what);
        }

        /** A write whose loss in a machine crash a restart repairs by re-driving (see docs/store-embedded.md). */
        Mutation lazy() {
            return new Mutation(ops, false, what);
        }
    }
}
