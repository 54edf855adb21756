package dev.pactum.client.xa;

import dev.pactum.api.InvalidInputException;

import javax.transaction.xa.Xid;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;

/**
 * How a Pactum branch maps to an XA transaction id, and back.
 *
 * <pre>
 *   formatId = 0x50414354       ("PACT" in ASCII, 1346454356 in decimal)
 *   gtrid    = UTF-8 bytes of the global transaction id (gid)
 *   bqual    = UTF-8 bytes of the branch id
 * </pre>
 *
 * Both ids are 1 to {@value #MAX_ID_LENGTH} characters of {@code [A-Za-z0-9._:-]}, the coordinator's own id
 * alphabet: one byte per character, so each fits the 64 bytes XA allows for gtrid and bqual, and prints the same
 * in every database's listing. The mapping is a bijection: {@link #branchOf(Xid)} gives back exactly the ids
 * {@link #xid} was made of, which is what lets a restarted participant ask the coordinator about a prepared
 * transaction it finds in the database. An xid with another format id belongs to some other transaction
 * manager and is never touched.
 *
 * <p>How the databases show such an xid (useful by hand, see docs/xa-participant.md):
 * <ul>
 *   <li>PostgreSQL ({@code pg_prepared_xacts.gid}, written by the JDBC driver): {@link #postgresGid}, e.g.
 *       {@code 1346454356_b3JkZXItNDI=_cGF5bWVudA==} (format id, then Base64 of gtrid and of bqual);</li>
 *   <li>MariaDB / MySQL ({@code XA RECOVER}): {@code formatID 1346454356}, {@code gtrid_length},
 *       {@code bqual_length}, and {@code data} = gid followed by branch id; by hand:
 *       {@code XA COMMIT 'order-42','payment',1346454356} ({@link #mysqlXid}).</li>
 * </ul>
 */
public final class XaIds {
    /** The XA format id of every Pactum branch: the ASCII bytes of "PACT". */
    public static final int FORMAT_ID = 0x50414354;

    /** Longest gid or branch id, in characters (= bytes): XA's limit for gtrid and for bqual. */
    public static final int MAX_ID_LENGTH = 64;

    private XaIds() {
    }

    /**
     * The XA id of branch {@code branchId} of global transaction {@code gid}.
     *
     * @throws InvalidInputException naming {@code gid} or {@code branchId} when one is missing or malformed
     */
    public static Xid xid(String gid, String branchId) {
        checkId("gid", gid);
        checkId("branchId", branchId);
        return new PactumXid(gid.getBytes(StandardCharsets.US_ASCII), branchId.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The branch an xid stands for, or empty when it is not a Pactum xid (another format id, or bytes that
     * {@link #xid} cannot have made): such a transaction belongs to someone else.
     */
    public static Optional<XaBranchId> branchOf(Xid xid) {
        if (xid == null || xid.getFormatId() != FORMAT_ID) {
            return Optional.empty();
        }
        String gid = decode(xid.getGlobalTransactionId());
        String branchId = decode(xid.getBranchQualifier());
        if (gid == null || branchId == null) {
            return Optional.empty();
        }
        return Optional.of(new XaBranchId(gid, branchId));
    }

    /**
     * The name PostgreSQL shows in {@code pg_prepared_xacts.gid} for this branch, as the PostgreSQL JDBC driver
     * writes it in {@code PREPARE TRANSACTION '...'}: {@code formatId_base64(gtrid)_base64(bqual)}.
     */
    public static String postgresGid(String gid, String branchId) {
        Xid x = xid(gid, branchId);
        Base64.Encoder b64 = Base64.getEncoder();
        return x.getFormatId() + "_" + b64.encodeToString(x.getGlobalTransactionId()) + "_"
                + b64.encodeToString(x.getBranchQualifier());
    }

    /** The xid as MariaDB and MySQL take it in {@code XA COMMIT}/{@code XA ROLLBACK}: {@code 'gid','branch',1346454356}. */
    public static String mysqlXid(String gid, String branchId) {
        xid(gid, branchId); // validates: the ids contain no quote
        return "'" + gid + "','" + branchId + "'," + FORMAT_ID;
    }

    /** @throws InvalidInputException naming {@code field} when {@code value} is not a valid id */
    static void checkId(String field, String value) {
        if (value == null || value.isEmpty()) {
            throw new InvalidInputException(field, field + " is required");
        }
        if (value.length() > MAX_ID_LENGTH) {
            throw new InvalidInputException(field, field + " must be at most " + MAX_ID_LENGTH
                    + " characters (XA allows 64 bytes), was " + value.length());
        }
        for (int i = 0; i < value.length(); i++) {
            if (!isIdChar(value.charAt(i))) {
                throw new InvalidInputException(field, field + " may contain only letters, digits and . _ : -,"
                        + " was '" + abbreviate(value) + "' (character " + i + ")");
            }
        }
    }

    private static boolean isIdChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == ':' || c == '-';
    }

    /** The id these bytes spell, or null when {@link #xid} cannot have made them. */
    private static String decode(byte[] bytes) {
        if (bytes == null || bytes.length == 0 || bytes.length > MAX_ID_LENGTH) {
            return null;
        }
        for (byte b : bytes) {
            if (!isIdChar((char) b)) { // also rejects every non-ASCII byte (negative as a byte)
                return null;
            }
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    /** Pactum's {@link Xid}: value semantics, so two instances for the same branch are equal. */
    private record PactumXid(byte[] gtrid, byte[] bqual) implements Xid {
        @Override
        public int getFormatId() {
            return FORMAT_ID;
        }

        @Override
        public byte[] getGlobalTransactionId() {
            return gtrid.clone();
        }

        @Override
        public byte[] getBranchQualifier() {
            return bqual.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PactumXid p && Arrays.equals(gtrid, p.gtrid) && Arrays.equals(bqual, p.bqual);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(gtrid) + Arrays.hashCode(bqual);
        }

        @Override
        public String toString() {
            return "Xid[" + FORMAT_ID + ", " + new String(gtrid, StandardCharsets.US_ASCII) + ", "
                    + new String(bqual, StandardCharsets.US_ASCII) + "]";
        }
    }
}
