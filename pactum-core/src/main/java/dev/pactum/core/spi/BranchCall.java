package dev.pactum.core.spi;

import dev.pactum.api.BranchOp;

import java.util.Map;

/**
 * One call to a branch: where, which operation, the ids sent as headers, and the operation's payload (null when
 * the branch gave none), which an HTTP invoker sends as the request body. A message's {@code deliver} also carries
 * its key and headers (null when none), which the connectors send as the transport's own (docs/messages.md).
 */
public record BranchCall(String gid, String branchId, BranchOp op, String url, String payload, String key,
                         Map<String, String> headers) {
    public BranchCall(String gid, String branchId, BranchOp op, String url, String payload) {
        this(gid, branchId, op, url, payload, null, null);
    }

    public BranchCall(String gid, String branchId, BranchOp op, String url) {
        this(gid, branchId, op, url, null);
    }
}
