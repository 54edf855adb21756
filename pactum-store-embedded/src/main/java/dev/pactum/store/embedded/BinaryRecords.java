package dev.pactum.store.embedded;

import dev.pactum.api.BranchStatus;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.Operation;
import dev.pactum.api.TxPattern;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The embedded store's record values, versions 1 and 2: a leading format byte, then the fields in a fixed order. Strings
 * are a length and UTF-8 bytes, an absent value is one byte, an instant is epoch seconds and nanoseconds, enums are
 * their names (an ordinal would change meaning when a status is added). Why not JSON any more: encoding and
 * decoding records was 30% of the coordinator's CPU under the benchmark (JFR, issue "The core, version 2"); this
 * layout does the same work in a few hundred nanoseconds. Records written as JSON by earlier versions start with
 * '{' and are still read by {@link Codec}.
 *
 * <p>Version 2 (branches only) adds each operation's key and headers (a message's, MSG's {@code deliver}) after its
 * payload: an optional string, then a count and name-value pairs. It is written only for a branch that has a key or
 * a header, so every other record stays version 1, byte for byte, and an earlier coordinator still reads it.
 */
final class BinaryRecords {
    /** The first byte of a value in this format; a JSON record starts with '{' (0x7B). */
    static final byte FORMAT_V1 = 1;
    /** Branches whose operations carry a key or headers. */
    static final byte FORMAT_V2 = 2;
    private static final byte ABSENT = 0;
    private static final byte PRESENT = 1;

    private BinaryRecords() {
    }

    static byte[] encode(GlobalTransaction t) {
        Out o = new Out(96 + t.gid().length());
        o.b(FORMAT_V1);
        o.str(t.gid());
        o.str(t.pattern().name());
        o.str(t.status().name());
        o.optStr(t.reason());
        o.instant(t.createdAt());
        o.instant(t.updatedAt());
        o.instant(t.timeoutAt());
        o.optInstant(t.nextAttemptAt());
        o.optStr(t.owner());
        o.optInstant(t.leaseUntil());
        o.i64(t.version());
        return o.bytes();
    }

    static GlobalTransaction global(byte[] b) {
        In in = new In(b);
        GlobalTransaction t = new GlobalTransaction(in.str(), TxPattern.valueOf(in.str()), GlobalStatus.valueOf(in.str()),
                in.optStr(), in.instant(), in.instant(), in.instant(), in.optInstant(), in.optStr(), in.optInstant(),
                in.i64());
        in.end();
        return t;
    }

    static byte[] encode(BranchRecord r) {
        Out o = new Out(128 + r.operations().size() * 64);
        boolean v2 = r.operations().stream().anyMatch(op -> op.key() != null || op.headers() != null);
        o.b(v2 ? FORMAT_V2 : FORMAT_V1);
        o.str(r.gid());
        o.str(r.branchId());
        o.str(r.status().name());
        o.i32(r.operations().size());
        for (Operation op : r.operations()) {
            o.str(op.name());
            o.str(op.target());
            o.optStr(op.payload());
            if (v2) {
                o.optStr(op.key());
                Map<String, String> headers = op.headersOrEmpty();
                o.i32(headers.size());
                headers.forEach((name, value) -> {
                    o.str(name);
                    o.str(value);
                });
            }
        }
        o.i32(r.attempts());
        o.optStr(r.lastError());
        o.instant(r.createdAt());
        o.instant(r.updatedAt());
        return o.bytes();
    }

    static BranchRecord branch(byte[] b) {
        In in = new In(b);
        boolean v2 = b[0] == FORMAT_V2;
        String gid = in.str();
        String branchId = in.str();
        BranchStatus status = BranchStatus.valueOf(in.str());
        int n = in.count();
        List<Operation> ops = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String name = in.str();
            String target = in.str();
            String payload = in.optStr();
            if (!v2) {
                ops.add(new Operation(name, target, payload));
                continue;
            }
            String key = in.optStr();
            int h = in.count();
            Map<String, String> headers = new LinkedHashMap<>(h * 2);
            for (int k = 0; k < h; k++) {
                headers.put(in.str(), in.str());
            }
            ops.add(new Operation(name, target, payload, key, headers));
        }
        BranchRecord r = new BranchRecord(gid, branchId, status, ops, in.i32(), in.optStr(), in.instant(), in.instant());
        in.end();
        return r;
    }

    /** A growing byte array; big-endian numbers. */
    private static final class Out {
        private byte[] buf;
        private int n;

        Out(int capacity) {
            buf = new byte[capacity];
        }

        private void room(int k) {
            if (n + k > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, n + k));
            }
        }

        void b(byte v) {
            room(1);
            buf[n++] = v;
        }

        void i32(int v) {
            room(4);
            for (int s = 24; s >= 0; s -= 8) {
                buf[n++] = (byte) (v >>> s);
            }
        }

        void i64(long v) {
            room(8);
            for (int s = 56; s >= 0; s -= 8) {
                buf[n++] = (byte) (v >>> s);
            }
        }

        void str(String s) {
            byte[] u = s.getBytes(StandardCharsets.UTF_8);
            i32(u.length);
            room(u.length);
            System.arraycopy(u, 0, buf, n, u.length);
            n += u.length;
        }

        void optStr(String s) {
            if (s == null) {
                b(ABSENT);
            } else {
                b(PRESENT);
                str(s);
            }
        }

        void instant(Instant t) {
            i64(t.getEpochSecond());
            i32(t.getNano());
        }

        void optInstant(Instant t) {
            if (t == null) {
                b(ABSENT);
            } else {
                b(PRESENT);
                instant(t);
            }
        }

        byte[] bytes() {
            return n == buf.length ? buf : Arrays.copyOf(buf, n);
        }
    }

    /** Reads what {@link Out} wrote, after the format byte; a short or odd value fails with the offset. */
    private static final class In {
        private final byte[] buf;
        private int p = 1;

        In(byte[] buf) {
            if (buf.length == 0 || buf[0] != FORMAT_V1 && buf[0] != FORMAT_V2) {
                throw new IllegalArgumentException("not a version-1 or -2 record (first byte "
                        + (buf.length == 0 ? "none" : buf[0]) + ")");
            }
            this.buf = buf;
        }

        private void need(int k) {
            if (k < 0 || k > buf.length - p) { // not p + k: a corrupt length must not overflow past the check
                throw new IllegalArgumentException("record ends at byte " + buf.length + ", needed " + k + " more at "
                        + p);
            }
        }

        int i32() {
            need(4);
            int v = 0;
            for (int i = 0; i < 4; i++) {
                v = (v << 8) | (buf[p++] & 0xff);
            }
            return v;
        }

        long i64() {
            need(8);
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (buf[p++] & 0xff);
            }
            return v;
        }

        String str() {
            int len = i32();
            need(len);
            String s = new String(buf, p, len, StandardCharsets.UTF_8);
            p += len;
            return s;
        }

        String optStr() {
            return flag() ? str() : null;
        }

        /** A count of items, each at least 3 bytes: a corrupt count fails here, not in a huge allocation. */
        int count() {
            int n = i32();
            if (n < 0 || n > (buf.length - p) / 3) {
                throw new IllegalArgumentException("count " + n + " at " + (p - 4) + " exceeds what the record holds");
            }
            return n;
        }

        /** The record must end where its last field does: trailing bytes mean it is not what we think. */
        void end() {
            if (p != buf.length) {
                throw new IllegalArgumentException((buf.length - p) + " bytes left after the last field at " + p);
            }
        }

        Instant instant() {
            long seconds = i64();
            int nanos = i32();
            if (nanos < 0 || nanos > 999_999_999) {
                throw new IllegalArgumentException("nanoseconds " + nanos + " at " + (p - 4));
            }
            try {
                return Instant.ofEpochSecond(seconds, nanos);
            } catch (java.time.DateTimeException e) {
                throw new IllegalArgumentException("instant out of range at " + (p - 12) + ": " + e.getMessage(), e);
            }
        }

        Instant optInstant() {
            return flag() ? instant() : null;
        }

        private boolean flag() {
            need(1);
            byte f = buf[p++];
            if (f != ABSENT && f != PRESENT) {
                throw new IllegalArgumentException("bad presence byte " + f + " at " + (p - 1));
            }
            return f == PRESENT;
        }
    }
}
