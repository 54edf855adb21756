package dev.pactum.client.xa;

import dev.pactum.api.Headers;
import dev.pactum.api.InvalidInputException;

import javax.transaction.xa.Xid;
import java.util.function.Function;

/**
 * Which XA branch: a global transaction id and a branch id inside it, both 1 to {@value XaIds#MAX_ID_LENGTH}
 * characters of {@code [A-Za-z0-9._:-]}.
 *
 * @param gid      the global transaction id, the XA gtrid
 * @param branchId the branch id, the XA bqual
 */
public record XaBranchId(String gid, String branchId) {
    /** @throws InvalidInputException naming the field when a value is missing or malformed */
    public XaBranchId {
        XaIds.checkId("gid", gid);
        XaIds.checkId("branchId", branchId);
    }

    /**
     * Reads the branch from the headers every branch call carries ({@link Headers#GID}, {@link Headers#BRANCH_ID}).
     *
     * @param header returns a header's value by name, or null when absent, e.g. {@code request::getHeader}
     * @throws InvalidInputException naming the header when one is missing or malformed; answer it with 400
     */
    public static XaBranchId fromHeaders(Function<String, String> header) {
        String gid = header.apply(Headers.GID);
        String branchId = header.apply(Headers.BRANCH_ID);
        XaIds.checkId(Headers.GID, gid);
        XaIds.checkId(Headers.BRANCH_ID, branchId);
        return new XaBranchId(gid, branchId);
    }

    /** The XA id of this branch ({@link XaIds}). */
    public Xid xid() {
        return XaIds.xid(gid, branchId);
    }

    @Override
    public String toString() {
        return gid + "/" + branchId;
    }
}
