package dev.pactum.client;

import dev.pactum.api.BranchRequest;
import dev.pactum.api.Headers;
import dev.pactum.api.Outcome;
import dev.pactum.api.TransactionView;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One XA global transaction seen from the service that runs it (the transaction manager). Each {@link #call}
 * registers the branch with the coordinator first (with the participant's prepare, commit and rollback
 * endpoints), then makes the business call that runs the branch's SQL in an XA transaction on the participant's
 * database. {@link #submit()} makes the coordinator run phase one (prepare on every branch) and answers with the
 * decision. Not thread-safe: one flow drives it.
 */
public final class XaTransaction {
    private final PactumClient client;
    private final String gid;
    private final List<String> done = new ArrayList<>();

    XaTransaction(PactumClient client, String gid) {
        this.client = client;
        this.gid = gid;
    }

    public String gid() {
        return gid;
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
        client.registerBranch(gid, BranchRequest.xa(branchId, agentUrl + "/prepare", agentUrl + "/commit",
                agentUrl + "/rollback"));
        HttpTransport.Answer resp;
        try {
            resp = client.http().post(workUrl, Map.of(Headers.GID, gid, Headers.BRANCH_ID, branchId),
                    (jsonBody == null ? "{}" : jsonBody).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new TryFailedException(gid, branchId, Outcome.ONGOING, 0, "no answer from " + workUrl + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TryFailedException(gid, branchId, Outcome.ONGOING, 0, "interrupted");
        }
        Outcome o = Outcome.fromHttpStatus(resp.status());
        if (o != Outcome.SUCCESS) {
            throw new TryFailedException(gid, branchId, o, resp.status(), resp.text());
        }
        done.add(branchId);
        return resp.text();
    }

    /**
     * Phase one and the decision: the answer's status is COMMITTING when every branch prepared, ABORTING (with
     * the reason) otherwise. Commits or rollbacks then go on in the background.
     */
    public TransactionView submit() {
        return client.submit(gid, List.copyOf(done));
    }

    public TransactionView abort(String reason) {
        return client.abort(gid, reason);
    }
}
