package dev.pactum.client;

import dev.pactum.api.BranchOp;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.Operation;
import dev.pactum.api.TransactionView;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One TCC global transaction seen from the client that runs it (the "transaction manager" of the seeds).
 * Each {@link #tryBranch} registers the branch with the coordinator first, then calls its Try: if this process
 * dies in between, the coordinator still knows whom to cancel. The transaction made by {@code PactumClient.tcc}
 * begins with its first branch in the same call, or with all of them when they were declared up front. Not
 * thread-safe: one flow drives it.
 */
public final class TccTransaction {
    private final PactumClient client;
    private final LazyBegin begin;
    private final List<String> tried = new ArrayList<>();

    TccTransaction(PactumClient client, LazyBegin begin) {
        this.client = client;
        this.begin = begin;
    }

    /** The transaction's id; begins it at the coordinator if no branch has yet. */
    public String gid() {
        return begin.gid();
    }

    String gidOrNull() {
        return begin.gidOrNull();
    }

    /** Branch ids whose Try succeeded so far. */
    public List<String> tried() {
        return Collections.unmodifiableList(tried);
    }

    /** Registers a branch without calling its Try (when the Try happens elsewhere, e.g. locally). */
    public void register(String branchId, String confirmUrl, String cancelUrl) {
        begin.register(BranchRequest.tcc(branchId, null, confirmUrl, cancelUrl));
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
        return tryRegistered(BranchRequest.tcc(branchId, tryUrl, confirmUrl, cancelUrl), tryUrl, jsonBody);
    }

    private String tryRegistered(BranchRequest branch, String tryUrl, String jsonBody) {
        begin.register(branch);
        String answer = client.http().callBranch(begin.gid(), branch.branchId(), BranchOp.TRY, tryUrl, jsonBody);
        tried.add(branch.branchId());
        return answer;
    }

    /**
     * Calls the Try of a branch declared up front ({@code PactumClient.tcc(timeout, branches, body)}): registered
     * with the begin already, so no coordinator call is made for it. Answers and throws as {@link #tryBranch(String,
     * String, String, String, String)}.
     */
    public String tryBranch(String branchId, String jsonBody) {
        BranchRequest b = begin.declared(branchId);
        String tryUrl = b.tryUrl() != null ? b.tryUrl() : Operation.targetOf(b.operations(), "try");
        if (tryUrl == null) {
            throw new IllegalArgumentException("branch " + branchId + " was declared without a Try URL");
        }
        return tryRegistered(b, tryUrl, jsonBody);
    }

    /** Declared branches whose Try has not succeeded yet (a submit now would be refused). */
    List<String> untried() {
        return begin.declared().stream().map(BranchRequest::branchId).filter(id -> !tried.contains(id)).toList();
    }

    /**
     * Commits: the coordinator checks every registered branch is in {@link #tried()}, then Confirms them all. The
     * answer is the lean one (gid, pattern, status, reason, each branch's id and status).
     */
    public TransactionView submit() {
        return client.submit(begin.gid(), List.copyOf(tried), true);
    }

    /** Aborts; null when the transaction never began at the coordinator (no branch joined), so nothing is there. */
    public TransactionView abort(String reason) {
        return begin.isBegun() ? client.abort(begin.gid(), reason, true) : null;
    }
}
