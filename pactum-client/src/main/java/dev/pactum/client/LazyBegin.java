package dev.pactum.client;

import dev.pactum.api.BeginRequest;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.PactumException;
import dev.pactum.api.TransactionView;
import dev.pactum.api.TxPattern;

import java.util.List;

/**
 * The begin of a transaction that the SDK runs, sent with its first branch: one coordinator call instead of two.
 * Until then the coordinator has no record of the transaction, which is fine, since nothing has happened yet;
 * the first branch is still registered, durably, before its Try or work is called. Asking for the gid before any
 * branch begins it on its own.
 */
final class LazyBegin {
    private final PactumClient client;
    private final TxPattern pattern;
    private final Long timeoutMs;
    private String gid;

    private LazyBegin(PactumClient client, TxPattern pattern, Long timeoutMs, String gid) {
        this.client = client;
        this.pattern = pattern;
        this.timeoutMs = timeoutMs;
        this.gid = gid;
    }

    static LazyBegin begun(PactumClient client, TxPattern pattern, String gid) {
        return new LazyBegin(client, pattern, null, gid);
    }

    static LazyBegin later(PactumClient client, TxPattern pattern, Long timeoutMs) {
        return new LazyBegin(client, pattern, timeoutMs, null);
    }

    boolean isBegun() {
        return gid != null;
    }

    /** The transaction's id, beginning it (with no branch) if no branch has yet. */
    String gid() {
        if (gid == null) {
            gid = client.begin(new BeginRequest(null, pattern, timeoutMs)).gid();
        }
        return gid;
    }

    /** The gid so far, or null: for messages about a transaction that may not have begun. */
    String gidOrNull() {
        return gid;
    }

    /** Registers {@code branch}: in the begin when it is the first, otherwise on its own. */
    void register(BranchRequest branch) {
        if (gid != null) {
            client.registerBranch(gid, branch);
            return;
        }
        TransactionView v = client.begin(new BeginRequest(null, pattern, timeoutMs, List.of(branch)));
        if (v.branches() == null || v.branches().stream().noneMatch(b -> branch.branchId().equals(b.branchId()))) {
            // The answer must show the branch registered; otherwise its Try would run unknown to the coordinator.
            throw new PactumException("bad_answer", "POST /api/v1/transactions answered " + v.gid()
                    + " without branch " + branch.branchId() + " registered", v.gid(), null);
        }
        gid = v.gid();
    }
}
