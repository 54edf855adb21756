package dev.pactum.client;

import dev.pactum.api.BeginRequest;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.BranchView;
import dev.pactum.api.PactumException;
import dev.pactum.api.TransactionView;
import dev.pactum.api.TxPattern;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The begin of a transaction that the SDK runs, sent with the branches known so far: the branches declared up front
 * (all of them, when the caller names them before the body runs: one coordinator call for every registration), or
 * else the first branch. Until then the coordinator has no record of the transaction, which is fine, since nothing
 * has happened yet; every branch is still registered, durably, before its Try or work is called. Asking for the gid
 * before any branch begins it on its own (with the declared branches, if any).
 */
final class LazyBegin {
    private final PactumClient client;
    private final TxPattern pattern;
    private final Long timeoutMs;
    /** Branches named before the body ran, by id, in the order given; registered with the begin. */
    private final Map<String, BranchRequest> declared;
    private String gid;

    private LazyBegin(PactumClient client, TxPattern pattern, Long timeoutMs, String gid, List<BranchRequest> declared) {
        this.client = client;
        this.pattern = pattern;
        this.timeoutMs = timeoutMs;
        this.gid = gid;
        this.declared = new LinkedHashMap<>();
        for (BranchRequest b : declared) {
            if (b == null || b.branchId() == null) {
                throw new IllegalArgumentException("a declared branch and its branchId must not be null");
            }
            if (this.declared.putIfAbsent(b.branchId(), b) != null) {
                throw new IllegalArgumentException("branch " + b.branchId() + " is declared twice");
            }
        }
    }

    static LazyBegin begun(PactumClient client, TxPattern pattern, String gid) {
        return new LazyBegin(client, pattern, null, gid, List.of());
    }

    static LazyBegin later(PactumClient client, TxPattern pattern, Long timeoutMs) {
        return later(client, pattern, timeoutMs, List.of());
    }

    /** Begun at the first branch or gid, with every one of {@code declared} registered in that same call. */
    static LazyBegin later(PactumClient client, TxPattern pattern, Long timeoutMs, List<BranchRequest> declared) {
        return new LazyBegin(client, pattern, timeoutMs, null, declared);
    }

    boolean isBegun() {
        return gid != null;
    }

    /** The transaction's id, beginning it (with the declared branches, if any) if no branch has yet. */
    String gid() {
        if (gid == null) {
            begin(List.copyOf(declared.values()));
        }
        return gid;
    }

    /** The gid so far, or null: for messages about a transaction that may not have begun. */
    String gidOrNull() {
        return gid;
    }

    /** The branches declared up front, in the order given. */
    List<BranchRequest> declared() {
        return List.copyOf(declared.values());
    }

    /** The declared branch {@code branchId}; an IllegalArgumentException when there is none. */
    BranchRequest declared(String branchId) {
        BranchRequest b = declared.get(branchId);
        if (b == null) {
            throw new IllegalArgumentException("branch " + branchId + " was not declared; declared: " + declared.keySet());
        }
        return b;
    }

    /**
     * Registers {@code branch}: a declared one is registered with the begin (it must be declared exactly so), the
     * first undeclared one in the begin too, any later one on its own.
     */
    void register(BranchRequest branch) {
        BranchRequest d = declared.get(branch.branchId());
        if (d != null) {
            if (!d.equals(branch)) {
                throw new IllegalArgumentException("branch " + branch.branchId() + " is called as " + branch
                        + " but was declared as " + d);
            }
            gid();
            return;
        }
        if (gid != null) {
            client.registerBranch(gid, branch, true);
            return;
        }
        List<BranchRequest> all = new ArrayList<>(declared.values());
        all.add(branch);
        begin(all);
    }

    private void begin(List<BranchRequest> branches) {
        TransactionView v = client.begin(new BeginRequest(null, pattern, timeoutMs, branches.isEmpty() ? null : branches),
                true);
        for (BranchRequest b : branches) {
            if (v.branches() == null || v.branches().stream().map(BranchView::branchId).noneMatch(b.branchId()::equals)) {
                // The answer must show every branch registered; otherwise its Try would run unknown to the coordinator.
                throw new PactumException("bad_answer", "POST /api/v1/transactions answered " + v.gid()
                        + " without branch " + b.branchId() + " registered", v.gid(), null);
            }
        }
        gid = v.gid();
    }
}
