package dev.pactum.server.api;

import dev.pactum.api.BranchView;
import dev.pactum.api.TransactionView;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The answer to a request with {@code Prefer: return=minimal} (RFC 7240): of a transaction only what a client that
 * drives it needs, its gid, pattern, status, reason and each branch's id and status; of a branch its id and status.
 * No times, no operations. The SDK asks for it on every call of a transaction it runs: the full view, written by
 * Jackson with a dozen timestamps and every branch's targets, was a tenth of the coordinator's CPU samples
 * (docs/benchmarks.md), and reading it was as costly on the client's side. Written by hand: a few fixed fields.
 */
public final class MinimalAnswer {
    /** The value of the {@code Preference-Applied} header of such an answer. */
    public static final String APPLIED = "return=minimal";

    private MinimalAnswer() {
    }

    /** Whether the request's {@code Prefer} header values ask for a minimal answer. */
    public static boolean asked(List<String> prefer) {
        for (String header : prefer) {
            for (String p : header.split(",")) {
                // A preference may carry parameters after ';' and optional white space around '='.
                String pref = p.split(";", 2)[0].replace(" ", "").replace("\t", "");
                if (pref.equalsIgnoreCase("return=minimal") || pref.equalsIgnoreCase("return=\"minimal\"")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The minimal JSON of {@code value} if it has one (a transaction or a branch), else null. */
    static byte[] of(Object value) {
        StringBuilder sb = new StringBuilder(160);
        if (value instanceof TransactionView v) {
            sb.append("{\"gid\":");
            string(sb, v.gid());
            sb.append(",\"pattern\":");
            string(sb, v.pattern() == null ? null : v.pattern().name());
            sb.append(",\"status\":");
            string(sb, v.status() == null ? null : v.status().name());
            if (v.reason() != null) {
                sb.append(",\"reason\":");
                string(sb, v.reason());
            }
            sb.append(",\"branches\":[");
            List<BranchView> bs = v.branches() == null ? List.of() : v.branches();
            for (int i = 0; i < bs.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                branch(sb, bs.get(i));
            }
            sb.append("]}");
        } else if (value instanceof BranchView b) {
            branch(sb, b);
        } else {
            return null;
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void branch(StringBuilder sb, BranchView b) {
        sb.append("{\"branchId\":");
        string(sb, b.branchId());
        sb.append(",\"status\":");
        string(sb, b.status() == null ? null : b.status().name());
        sb.append('}');
    }

    /** A JSON string (RFC 8259): quotes, backslashes and control characters escaped; null as null. */
    static void string(StringBuilder sb, String s) {
        if (s == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c); // UTF-16 surrogate pairs pass through and are encoded whole by getBytes
                    }
                }
            }
        }
        sb.append('"');
    }
}
