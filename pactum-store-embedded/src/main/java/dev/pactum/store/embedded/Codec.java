package dev.pactum.store.embedded;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.pactum.api.Operation;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys and values of the embedded store. Values are JSON: a little larger than a binary layout, but readable
 * with any RocksDB tool when someone has to look at a stuck transaction, and the records evolve by adding fields.
 * Instants are written as decimal epoch seconds ({@code 1700000000.123456789}): parsing them costs a fraction of
 * ISO-8601 text, which showed up in profiles of the hot path. Older ISO values still read.
 *
 * <pre>
 *   g/{gid}                      -> GlobalTransaction
 *   b/{gid}/{seq, 6 digits}      -> BranchRecord (seq = registration order)
 *   s/{status}/{gid}             -> empty (index for listing by status)
 * </pre>
 * Ids never contain '/', so prefixes cannot collide (see {@code dev.pactum.core.Ids}).
 */
final class Codec {
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .enable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private static final ObjectMapper LEGACY = JSON.copy().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
    private static final byte[] OPERATIONS_FIELD = "\"operations\":".getBytes(StandardCharsets.UTF_8);

    private Codec() {
    }

    static byte[] globalKey(String gid) {
        return bytes("g/" + gid);
    }

    static byte[] branchPrefix(String gid) {
        return bytes("b/" + gid + "/");
    }

    static byte[] branchKey(String gid, int seq) {
        return bytes("b/" + gid + "/" + String.format("%06d", seq));
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

    static byte[] encode(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot encode " + value, e);
        }
    }

    static GlobalTransaction global(byte[] b) {
        return decode(b, GlobalTransaction.class);
    }

    static BranchRecord branch(byte[] b) {
        if (contains(b, OPERATIONS_FIELD)) {
            return decode(b, BranchRecord.class);
        }
        // Written before operations were data: the rare path, through a tree (floats kept exact for the instants).
        try {
            ObjectNode o = (ObjectNode) LEGACY.readTree(b);
            o.set("operations", LEGACY.valueToTree(legacyOperations(o)));
            return LEGACY.treeToValue(o, BranchRecord.class);
        } catch (IOException | RuntimeException e) {
            throw new UncheckedIOException("corrupt BranchRecord record in the embedded store",
                    e instanceof IOException io ? io : new IOException(e));
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

    private static boolean contains(byte[] data, byte[] part) {
        outer:
        for (int i = 0; i + part.length <= data.length; i++) {
            for (int j = 0; j < part.length; j++) {
                if (data[i + j] != part[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
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
