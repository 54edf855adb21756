package dev.pactum.client;

import dev.pactum.api.BranchRequest;
import dev.pactum.api.TransactionView;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One XA global transaction seen from the service that runs it (the transaction manager). Each {@link #call}
 * registers the branch with the coordinator first (with the participant's prepare, commit and rollback
 * endpoints), then makes the business call that runs the branch's SQL in an XA transaction on the participant's
 * database. {@link #submit()} makes the coordinator run phase one (prepare on every branch) and answers with the
 * decision. The transaction made by {@code PactumClient.xa} begins with its first branch in the same call, or with
 * all of them when they were declared up front ({@link #branch}). Not thread-safe: one flow drives it.
 */
public final class XaTransaction {
    private final PactumClient client;
    private final LazyBegin begin;
    private final List<String> done = new ArrayList<>();

    XaTransaction(PactumClient client, LazyBegin begin) {
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

    /**
     * The registration of an XA branch whose participant's XA endpoint base is {@code agentUrl}, as {@link #call}
     * makes it: to declare the branches up front with {@code PactumClient.xa(timeout, branches, body)}, so that the
     * begin registers them all in one coordinator call.
     */
    public static BranchRequest branch(String branchId, String agentUrl) {
        return BranchRequest.xa(branchId, agentUrl + "/prepare", agentUrl + "/commit", agentUrl + "/rollback");
    }

    /** Declared branches whose business call has not succeeded yet (a submit now would be refused). */
    List<String> undone() {
        return begin.declared().stream().map(BranchRequest::branchId).filter(id -> !done.contains(id)).toList();
    }

    /** Branch ids whose business call succeeded so far. */
    public List<String> done() {
        return Collections.unmodifiableList(done);
    }

    /**
     * Registers the branch, then POSTs {@code jsonBody} to {@code workUrl} with the branch headers. Returns the
     * participant's answer on 200; throws {@link TryFailedException} on a refusal (409) or an unknown outcome, in
     * both cases the transaction should be aborted (the coordinator rolls every registered branch back).
     *
     * @param agentUrl the participant's XA endpoint base: the coordinator calls {@code agentUrl + "/prepare"},
     *                 {@code "/commit"} and {@code "/rollback"}
     */
    public String call(String branchId, String agentUrl, String workUrl, String jsonBody) {
        begin.register(branch(branchId, agentUrl));
        String answer = client.http().callBranch(begin.gid(), branchId, null, workUrl, jsonBody);
        done.add(branchId);
        return answer;
    }

    /**
     * Phase one and the decision: the answer's status is COMMITTING when every branch prepared, ABORTING (with
     * the reason) otherwise. Commits or rollbacks then go on in the background. The answer is the lean one (gid,
     * pattern, status, reason, each branch's id and status).
     */
    public TransactionView submit() {
        return client.submit(begin.gid(), List.copyOf(done), true);
    }

    /** Aborts; null when the transaction never began at the coordinator (no branch joined), so nothing is there. */
    public TransactionView abort(String reason) {
        return begin.isBegun() ? client.abort(begin.gid(), reason, true) : null;
    }
}
