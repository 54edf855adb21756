package dev.pactum.core.sim;

import dev.pactum.api.AbortRequest;
import dev.pactum.api.BeginRequest;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.ConflictException;
import dev.pactum.api.Operation;
import dev.pactum.api.SubmitRequest;
import dev.pactum.api.TxPattern;

import java.time.Duration;
import java.util.List;

/**
 * A producer of one half message, seed 000's steps: begin with the message ("to confirm"), run the local transaction,
 * then commit or roll the message back. It may die at any step: before its local transaction ends (which then rolls
 * back, as a crashed local transaction does), or after its local commit but before its commit call, leaving the
 * check-back to deliver the message. Its local transaction's outcome is in its ledger, which its check endpoint
 * answers from and against which invariant 4 is checked (delivered if and only if the producer committed).
 */
final class SimProducer {
    static final String BRANCH = "m0";

    private enum Phase { BEGIN, LOCAL, COMMIT, ROLLBACK, DONE }

    /** Every producer sends to one destination, so that messages share lanes: order per key is checked. */
    static final String DESTINATION = "http://dest.sim/orders";

    final String gid;
    /** The message's key: one of three, or none for every fourth producer. */
    final String key;
    private final Simulation sim;
    private final ModelParticipants.Ledger ledger;
    private final long timeoutMs;
    private Phase phase = Phase.BEGIN;
    private int retries;
    SimClient.Expect expect = SimClient.Expect.NOTHING;

    SimProducer(Simulation sim, int n) {
        this.sim = sim;
        this.gid = "msg-" + n;
        this.key = n % 4 == 3 ? null : "k" + n % 3; // not from the random: the other choices of a seed stay as they were
        sim.participants.planMessage(gid, BRANCH, key);
        this.ledger = sim.participants.ledger(gid, BRANCH);
        SimConfig c = sim.config;
        // The check timeout: short, so that check-backs often race the producer's own commit.
        this.timeoutMs = c.minTimeout().toMillis() / 2 + sim.random.nextLong(c.maxTimeout().toMillis() + 1);
    }

    boolean done() {
        return phase == Phase.DONE;
    }

    void schedule() {
        Duration think = Duration.ofMillis(sim.random.nextLong(sim.config.maxThink().toMillis() * 2 + 1));
        sim.scheduler.after(think, null, "client", gid + " " + phase.name().toLowerCase(), this::step);
    }

    private void step() {
        if (sim.chaos && phase != Phase.BEGIN && sim.random.nextDouble() < sim.config.abandon() / 2) {
            if (Boolean.TRUE.equals(ledger.localCommitted)) {
                sim.stats.producersLostAfterLocalCommit++;
            }
            sim.trace.add(sim.clock.instant(), sim.scheduler.depth(), gid, "  producer dies in " + phase);
            finish();
            return;
        }
        if (phase == Phase.LOCAL) {
            ledger.localCommitted = sim.random.nextDouble() >= sim.config.refuse();
            sim.trace.add(sim.clock.instant(), sim.scheduler.depth(), gid, "  local transaction "
                    + (ledger.localCommitted ? "committed" : "rolled back"));
            next(ledger.localCommitted ? Phase.COMMIT : Phase.ROLLBACK);
            return;
        }
        SimNode.Incarnation node = sim.anyLiveNode();
        if (node == null) {
            schedule();
            return;
        }
        switch (phase) {
            case BEGIN -> SimClient.call(sim, gid, node, "begin", s -> {
                s.begin(new BeginRequest(gid, TxPattern.MSG, timeoutMs, List.of(BranchRequest.of(BRANCH, List.of(
                        new Operation("deliver", DESTINATION, "{\"gid\":\"" + gid + "\"}", key, null),
                        Operation.of("check", "http://" + BRANCH + ".sim/" + gid + "/check"))))));
                return null;
            }, ok -> next(Phase.LOCAL), failed -> retryOr());
            case COMMIT -> SimClient.call(sim, gid, node, "submit", s -> s.submit(gid, new SubmitRequest(List.of(BRANCH))),
                    view -> {
                        expectFrom(view);
                        finish();
                    }, failed -> {
                        if (failed instanceof ConflictException c && SimClient.isAborting(c.status())) {
                            sim.checks.violation("4", "the commit of " + gid + ", whose producer committed, was refused: "
                                    + c.getMessage());
                        }
                        retryOr();
                    });
            case ROLLBACK -> SimClient.call(sim, gid, node, "abort", s -> s.abort(gid, new AbortRequest("rolled back")),
                    view -> {
                        expectFrom(view);
                        finish();
                    }, failed -> {
                        if (failed instanceof ConflictException c && c.status() != null && !SimClient.isAborting(c.status())) {
                            sim.checks.violation("4", "the rollback of " + gid + ", whose producer rolled back, was refused: "
                                    + c.getMessage());
                        }
                        retryOr();
                    });
            default -> throw new IllegalStateException("producer " + gid + " stepped in " + phase);
        }
    }

    private void expectFrom(dev.pactum.api.TransactionView v) {
        expect = SimClient.expectOf(v, expect);
    }

    private void next(Phase p) {
        phase = p;
        retries = 0;
        schedule();
    }

    /** Begin, submit and abort are idempotent: try again a couple of times, then give up (check-back repairs it). */
    private void retryOr() {
        if (++retries <= 2) {
            schedule();
        } else {
            finish();
        }
    }

    /** The producer stops; a local transaction still running dies with it and rolls back. */
    private void finish() {
        if (ledger.localCommitted == null) {
            ledger.localCommitted = false;
        }
        phase = Phase.DONE;
    }
}
