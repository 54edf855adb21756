package dev.pactum.client;

import dev.pactum.api.BranchOp;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.TransactionView;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One TCC global transaction seen from the client that runs it (the "transaction manager" of the seeds).
 * Each {@link #tryBranch} registers the branch with the coordinator first, then calls its Try: if this process
 * dies in between, the coordinator still knows whom to cancel. Not thread-safe: one flow drives it.
 */
public final class TccTransaction {
    private final PactumClient client;
    private final String gid;
    private final List<String> tried = new ArrayList<>();

    TccTransaction(PactumClient client, String gid) {
        this.client = client;
        this.gid = gid;
    }

    public String gid() {
        return gid;
    }

    /** Branch ids whose Try succeeded so far. */
    public List<String> tried() {
        return Collections.unmodifiableList(tried);
    }

    /** Registers a branch without calling its Try (when the Try happens elsewhere, e.g. locally). */
    public void register(String branchId, String confirmUrl, String cancelUrl) {
        client.registerBranch(gid, BranchRequest.tcc(branchId, null, confirmUrl, cancelUrl));
    }

    /** Records that the Try of an already registered branch succeeded, so {@link #submit()} includes it. */
    public void markTried(String branchId) {
        tried.add(branchId);
    }

    /**
     * Registers the branch, then POSTs {@code jsonBody} to {@code tryUrl} with the branch headers. Returns the
     * participant's answer body on 200; throws {@link TryFailedException} on a refusal (409) or when the outcome
     * is unknown (no answer, 5xx): in both cases the caller should abort, and the barrier makes the Cancel safe
     * even if the Try did run, or runs later.
     */
    public String tryBranch(String branchId, String tryUrl, String confirmUrl, String cancelUrl, String jsonBody) {
        client.registerBranch(gid, BranchRequest.tcc(branchId, tryUrl, confirmUrl, cancelUrl));
        String answer = client.http().callBranch(gid, branchId, BranchOp.TRY, tryUrl, jsonBody);
        tried.add(branchId);
        return answer;
    }

    /** Commits: the coordinator checks every registered branch is in {@link #tried()}, then Confirms them all. */
    public TransactionView submit() {
        return client.submit(gid, List.copyOf(tried));
    }

    public TransactionView abort(String reason) {
        return client.abort(gid, reason);
    }
}
