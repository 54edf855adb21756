package dev.pactum.core.sim;

import dev.pactum.api.AbortRequest;
import dev.pactum.api.BeginRequest;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.ConflictException;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.UnknownTransactionException;
import dev.pactum.api.PactumException;
import dev.pactum.api.SubmitRequest;
import dev.pactum.api.TransactionView;
import dev.pactum.api.TxPattern;
import dev.pactum.api.BranchOp;
import dev.pactum.api.Outcome;
import dev.pactum.core.CoordinatorService;
import dev.pactum.core.spi.BranchCall;
import dev.pactum.core.spi.CallResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A service running one global transaction, as the SDK does: begin, then for each branch register it and call its
 * Try (TCC) or its work (XA), then submit with the branches that succeeded, or abort when one failed. Each call is
 * a step of its own, made to a random live node, after a random think time. A call whose node died answers
 * nothing; the client then retries begin and submit (both idempotent), aborts after a failed registration, and may
 * also just stop, leaving its transaction to the timeout.
 *
 * <p>What the coordinator answered is remembered as what the end state must be: a submit answered COMMITTING or
 * COMMITTED must end COMMITTED, an abort (or a submit refused as aborting) must end ABORTED.
 */
final class SimClient {
    enum Expect { NOTHING, COMMITTED, ABORTED }

    private enum Phase { BEGIN, REGISTER, CALL, SUBMIT, ABORT, DONE }

    final String gid;
    final TxPattern pattern;
    private final Simulation sim;
    private final List<String> branches = new ArrayList<>();
    private final long timeoutMs;
    private Phase phase = Phase.BEGIN;
    private int index;
    private int retries;
    Expect expect = Expect.NOTHING;

    SimClient(Simulation sim, int n) {
        this.sim = sim;
        this.gid = "tx-" + n;
        SimConfig c = sim.config;
        this.pattern = sim.random.nextDouble() < c.xa() ? TxPattern.XA : TxPattern.TCC;
        int count = (pattern == TxPattern.XA ? 1 : 0) + sim.random.nextInt(c.maxBranches() + 1);
        for (int i = 0; i < count; i++) {
            String b = "b" + i;
            branches.add(b);
            boolean refuse = sim.random.nextDouble() < c.refuse() / 2;
            boolean voteNo = pattern == TxPattern.XA && sim.random.nextDouble() < c.refuse() / 2;
            sim.participants.plan(gid, b, pattern == TxPattern.XA, refuse, voteNo);
        }
        long span = c.maxTimeout().toMillis() - c.minTimeout().toMillis();
        this.timeoutMs = c.minTimeout().toMillis() + sim.random.nextLong(span + 1);
    }

    boolean done() {
        return phase == Phase.DONE;
    }

    void schedule() {
        Duration think = Duration.ofMillis(sim.random.nextLong(sim.config.maxThink().toMillis() + 1));
        sim.scheduler.after(think, null, "client", gid + " " + phase.name().toLowerCase() + (phase == Phase.REGISTER
                || phase == Phase.CALL ? " b" + index : ""), this::step);
    }

    private void step() {
        if (sim.chaos && phase != Phase.BEGIN && sim.random.nextDouble() < sim.config.abandon() / 4) {
            sim.trace.add(sim.clock.instant(), sim.scheduler.depth(), gid, "  client gives up");
            phase = Phase.DONE;
            return;
        }
        if (phase == Phase.CALL) {
            callBranch();
            return;
        }
        SimNode.Incarnation node = sim.anyLiveNode();
        if (node == null) {
            schedule(); // every node is down: try again later
            return;
        }
        switch (phase) {
            case BEGIN -> call(node, "begin", s -> {
                s.begin(new BeginRequest(gid, pattern, timeoutMs));
                return null;
            }, ok -> next(branches.isEmpty() ? Phase.SUBMIT : Phase.REGISTER), failed -> retryOr(Phase.DONE));
            case REGISTER -> call(node, "register " + branches.get(index), s -> {
                String b = branches.get(index);
                String u = "http://" + b + ".sim/" + gid + "/";
                s.registerBranch(gid, pattern == TxPattern.XA ? BranchRequest.xa(b, u + "prepare", u + "commit",
                        u + "rollback") : BranchRequest.tcc(b, u + "try", u + "confirm", u + "cancel"));
                return null;
            }, ok -> next(Phase.CALL), failed -> next(Phase.ABORT));
            case SUBMIT -> call(node, "submit", s -> s.submit(gid, new SubmitRequest(List.copyOf(branches))),
                    view -> {
                        expectFrom(view);
                        next(Phase.DONE);
                    }, failed -> {
                        if (failed instanceof ConflictException c && isAborting(c.status())) {
                            expect = Expect.ABORTED;
                            next(Phase.DONE);
                        } else {
                            retryOr(Phase.DONE);
                        }
                    });
            case ABORT -> call(node, "abort", s -> s.abort(gid, new AbortRequest("client saw a failure")),
                    view -> {
                        expectFrom(view);
                        next(Phase.DONE);
                    }, failed -> {
                        if (failed instanceof ConflictException c && c.status() != null && !isAborting(c.status())) {
                            // This client never submitted: nothing may have been decided to commit.
                            sim.checks.violation("3", "abort of " + gid + ", never submitted, refused: " + c.getMessage());
                        }
                        retryOr(Phase.DONE);
                    });
            default -> throw new IllegalStateException("client " + gid + " stepped in " + phase);
        }
    }

    /** The Try or the XA work, through the clients' own lossy network; any failure means abort. */
    private void callBranch() {
        String b = branches.get(index);
        CallResult r = sim.clientNetwork.invoke(new BranchCall(gid, b, BranchOp.TRY, "http://" + b + ".sim/" + gid
                + "/try"));
        sim.trace.add(sim.clock.instant(), sim.scheduler.depth(), gid, "  " + (pattern == TxPattern.XA ? "work " : "try ")
                + b + " -> " + r.httpStatus() + " " + r.detail());
        if (r.outcome() != Outcome.SUCCESS) {
            next(Phase.ABORT);
        } else if (++index < branches.size()) {
            next(Phase.REGISTER);
        } else {
            next(Phase.SUBMIT);
        }
    }

    private <T> void call(SimNode.Incarnation node, String what, Function<CoordinatorService, T> call, Consumer<T> ok,
                          Consumer<Throwable> failed) {
        call(sim, gid, node, what, call, ok, failed);
    }

    /**
     * One coordinator call of a client, as a step: a node that dies, a failed store call, a conflict or an unknown
     * transaction is a failure the client handles; any other exception of the core is a violation.
     */
    static <T> void call(Simulation sim, String gid, SimNode.Incarnation node, String what,
                         Function<CoordinatorService, T> call, Consumer<T> ok, Consumer<Throwable> failed) {
        T result;
        try {
            result = call.apply(node.service);
        } catch (SimulatedCrash e) {
            sim.trace.add(sim.clock.instant(), sim.scheduler.depth(), gid, "  " + what + " on " + node.name()
                    + ": no answer (node died)");
            failed.accept(e);
            return;
        } catch (SimulatedStoreFailure e) {
            sim.trace.add(sim.clock.instant(), sim.scheduler.depth(), gid, "  " + what + " on " + node.name()
                    + ": failed, " + e.getMessage());
            failed.accept(e);
            return;
        } catch (ConflictException | UnknownTransactionException e) {
            sim.trace.add(sim.clock.instant(), sim.scheduler.depth(), gid, "  " + what + " on " + node.name() + ": "
                    + e.code() + " " + e.getMessage());
            failed.accept(e);
            return;
        } catch (PactumException | IllegalStateException | IllegalArgumentException e) {
            sim.checks.violation("core", what + " of " + gid + " on " + node.name() + " threw " + e);
            failed.accept(e);
            return;
        }
        if (result instanceof TransactionView v) {
            sim.trace.add(sim.clock.instant(), sim.scheduler.depth(), gid, "  " + what + " on " + node.name() + " -> "
                    + v.status());
        }
        ok.accept(result);
    }

    private void expectFrom(TransactionView v) {
        expect = expectOf(v, expect);
    }

    /** What an answer promised the end state will be; {@code otherwise} when it promised nothing. */
    static Expect expectOf(TransactionView v, Expect otherwise) {
        return switch (v.status()) {
            case COMMITTING, COMMITTED -> Expect.COMMITTED;
            case ABORTING, ABORTED -> Expect.ABORTED;
            // PREPARING: another submit of ours is still voting; ACTIVE, PARKED: nothing was promised yet.
            default -> otherwise;
        };
    }

    static boolean isAborting(String status) {
        return GlobalStatus.ABORTING.name().equals(status) || GlobalStatus.ABORTED.name().equals(status);
    }

    private void next(Phase p) {
        phase = p;
        retries = 0;
        if (p != Phase.DONE) {
            schedule();
        }
    }

    /** Begin, submit and abort are idempotent: try again a couple of times, then give up. */
    private void retryOr(Phase otherwise) {
        if (++retries <= 2) {
            schedule();
        } else {
            phase = otherwise;
            if (otherwise != Phase.DONE) {
                schedule();
            }
        }
    }
}
