package dev.pactum.store.embedded;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.pactum.api.Operation;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.spi.LaneEntry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys and values of the embedded store. Values are written in {@link BinaryRecords}' layout; values that earlier
 * versions wrote as JSON (a record starting with '{', instants as decimal epoch seconds or ISO-8601 text, branches
 * with one field per URL) are still read.
 *
 * <pre>
 *   g/{gid}                      -> GlobalTransaction
 *   b/{gid}/{seq, 6 digits}      -> BranchRecord (seq = registration order)
 *   s/{status}/{gid}             -> empty (index for listing by status)
 *   o/{lane}/{seq, 16 hex}       -> {gid}/{branchId} (a decided, undelivered keyed message, in its lane's order)
 * </pre>
 * Ids never contain '/', so prefixes cannot collide (see {@code dev.pactum.core.Ids}).
 */
final class Codec {
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .enable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static final ObjectMapper LEGACY = JSON.copy().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

    private Codec() {
    }

    static byte[] globalKey(String gid) {
        return bytes("g/" + gid);
    }

    static byte[] branchPrefix(String gid) {
        return bytes("b/" + gid + "/");
    }

    static byte[] branchKey(String gid, int seq) {
        // Zero-padded to six digits by hand: String.format showed in the profile of every begin.
        String n = Integer.toString(seq);
        return bytes("b/" + gid + "/" + "000000".substring(Math.min(6, n.length())) + n);
    }

    static final byte[] LANE_PREFIX = bytes("o/");

    static byte[] laneKey(LaneEntry e) {
        return bytes("o/" + e.lane() + "/" + String.format("%016x", e.seq()));
    }

    static byte[] laneValue(LaneEntry e) {
        return bytes(e.gid() + "/" + e.branchId());
    }

    /** The entry a lane key and its value hold. */
    static LaneEntry laneEntry(byte[] key, byte[] value) {
        String k = new String(key, StandardCharsets.UTF_8);
        String v = new String(value, StandardCharsets.UTF_8);
        int cut = k.lastIndexOf('/');
        int slash = v.indexOf('/');
        if (cut <= 2 || slash < 1) {
            throw new UncheckedIOException("corrupt lane entry " + k + " in the embedded store", new IOException(v));
        }
        return new LaneEntry(k.substring(2, cut), Long.parseUnsignedLong(k.substring(cut + 1), 16), v.substring(0, slash),
                v.substring(slash + 1));
    }

    static byte[] statusPrefix(String status) {
        return bytes("s/" + status + "/");
    }

    static byte[] statusKey(String status, String gid) {
        return bytes("s/" + status + "/" + gid);
    }

    static String gidOfStatusKey(byte[] key, int prefixLength) {
        return new String(key, prefixLength, key.length - prefixLength, StandardCharsets.UTF_8);
    }

    static byte[] encode(GlobalTransaction t) {
        return BinaryRecords.encode(t);
    }

    static byte[] encode(BranchRecord b) {
        return BinaryRecords.encode(b);
    }

    static GlobalTransaction global(byte[] b) {
        if (b.length > 0 && b[0] == BinaryRecords.FORMAT_V1) {
            return binary(b, BinaryRecords::global, "GlobalTransaction");
        }
        return decode(b, GlobalTransaction.class);
    }

    static BranchRecord branch(byte[] b) {
        if (b.length > 0 && (b[0] == BinaryRecords.FORMAT_V1 || b[0] == BinaryRecords.FORMAT_V2)) {
            return binary(b, BinaryRecords::branch, "BranchRecord");
        }
        // A JSON record is from an earlier version (this one writes BinaryRecords): rare, so read it as a tree and
        // look at its fields rather than at its bytes. Floats are kept exact for the instants.
        try {
            ObjectNode o = (ObjectNode) LEGACY.readTree(b);
            if (!o.has("operations")) {
                o.set("operations", LEGACY.valueToTree(legacyOperations(o)));
            }
            return LEGACY.treeToValue(o, BranchRecord.class);
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException("corrupt BranchRecord record in the embedded store",
                    e instanceof IOException io ? io : new IOException(e));
        }
    }

    private static <T> T binary(byte[] b, java.util.function.Function<byte[], T> read, String type) {
        try {
            return read.apply(b);
        } catch (IllegalArgumentException | NullPointerException e) { // valueOf of an unknown name; a null field
            throw new UncheckedIOException("corrupt " + type + " record in the embedded store: " + e.getMessage(),
                    new IOException(e));
        }
    }

    /**
     * A branch written before operations were data kept one field per URL, and an XA branch its commit target in
     * confirmUrl and its rollback target in cancelUrl: the same operations the patterns make today.
     */
    private static List<Operation> legacyOperations(ObjectNode o) {
        List<Operation> ops = new ArrayList<>();
        boolean xa = o.hasNonNull("prepareUrl");
        add(ops, xa ? "prepare" : "try", o, xa ? "prepareUrl" : "tryUrl");
        add(ops, xa ? "commit" : "confirm", o, "confirmUrl");
        add(ops, xa ? "rollback" : "cancel", o, "cancelUrl");
        return ops;
    }

    private static void add(List<Operation> ops, String name, ObjectNode o, String field) {
        if (o.hasNonNull(field)) {
            ops.add(Operation.of(name, o.get(field).asText()));
        }
    }

    private static <T> T decode(byte[] b, Class<T> type) {
        try {
            return JSON.readValue(b, type);
        } catch (IOException e) {
            throw new UncheckedIOException("corrupt " + type.getSimpleName() + " record in the embedded store", e);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static boolean startsWith(byte[] key, byte[] prefix) {
        if (key.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (key[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
