package dev.pactum.core.sim;

import dev.pactum.api.BranchOp;
import dev.pactum.api.BranchStatus;
import dev.pactum.api.Outcome;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.TxPattern;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.spi.CallResult;
import dev.pactum.core.testkit.FakeBranchInvoker;
import dev.pactum.core.testkit.InMemoryTransactionStore;
import dev.pactum.core.testkit.ManualClock;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One deterministic run of the core, driven by one seed: a shared store, one to three coordinator nodes, a handful
 * of clients each running one TCC or XA transaction against model participants, over a network that loses,
 * duplicates, delays and reorders branch calls, with nodes crashing at any store or branch call and restarting.
 * Everything runs on the calling thread in the order the {@link Scheduler} draws, on a {@link ManualClock}: the
 * same seed gives the same schedule, step for step.
 *
 * <p>Two phases. Chaos: the clients run, faults are injected. Quiesce: no more faults, every node up, the network
 * reliable, and the system left alone until every transaction is final, within a bound of simulated time
 * ({@link #QUIESCE}); then the end state is checked against the participants' ledgers and what clients were told.
 * The checks that run during the schedule are in {@link Checks} (store writes) and {@link ModelParticipants} (at
 * each phase-2 call).
 */
final class Simulation {
    static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    /** How long the clients and the faults may go on, in simulated time. */
    static final Duration CHAOS = Duration.ofSeconds(60);
    /** How long a quiet system may take to finish everything, in simulated time (invariant 6's bound). */
    static final Duration QUIESCE = Duration.ofMinutes(10);
    /** A schedule that runs this many steps is stuck in a loop: reported, not waited for. */
    static final int MAX_STEPS = 200_000;

    /**
     * A fault outside the protocol's assumptions, planted on purpose so a test can show that the checks catch what
     * they are meant to catch.
     */
    enum Sabotage {
        NONE,
        /** The network answers 200 to a phase-2 call it dropped: the coordinator records a branch done that is not. */
        ACK_WITHOUT_DELIVERY,
        /** The network answers yes to a prepare it dropped: a branch that never voted is committed. */
        YES_WITHOUT_VOTE,
        /** The network answers "committed" to a check-back the producer never answered: a message is sent unbidden. */
        COMMITTED_WITHOUT_PRODUCER
    }

    /** The outcome of one schedule. */
    record Result(long seed, SimConfig config, List<String> violations, Trace trace, Stats stats) {
        boolean ok() {
            return violations.isEmpty();
        }

        String report(int traceLines) {
            return "seed " + seed + " (" + config.describe() + ")\n  "
                    + String.join("\n  ", violations) + "\nreplay: ./mvnw -B -q -pl pactum-core -am test"
                    + " -Dtest=SimulationTest -Dsurefire.failIfNoSpecifiedTests=false -Dpactum.sim.seed=" + seed
                    + "\ntrace:\n" + trace.tail(traceLines);
        }
    }

    final SimConfig config;
    final Random random;
    final ManualClock clock = new ManualClock(START);
    final Trace trace = new Trace(START);
    final Scheduler scheduler;
    final Stats stats = new Stats();
    final Checks checks;
    final InMemoryTransactionStore store;
    final ModelParticipants participants;
    final FakeBranchInvoker coordinatorNetwork;
    final FakeBranchInvoker clientNetwork;
    private final List<SimNode> nodes = new ArrayList<>();
    private final List<SimClient> clients = new ArrayList<>();
    private final List<SimProducer> producers = new ArrayList<>();
    /** Half messages the operator found PARKED. */
    private final java.util.Set<String> parkedSeen = new java.util.HashSet<>();
    /** True while faults are injected. */
    boolean chaos = true;

    private final Sabotage sabotage;

    private Simulation(long seed, Sabotage sabotage) {
        this.sabotage = sabotage;
        config = SimConfig.from(seed);
        random = new Random(seed);
        scheduler = new Scheduler(random, clock, trace);
        checks = new Checks(trace, clock::instant);
        store = new InMemoryTransactionStore(config.durability(), checks);
        participants = new ModelParticipants(store, checks, stats);
        checks.participants(participants);
        coordinatorNetwork = network(participants, FakeBranchInvoker.weighted(random, config.coordinatorCalls()));
        clientNetwork = network(participants, FakeBranchInvoker.weighted(random, config.clientCalls()));
    }

    static Result run(long seed) {
        return run(seed, Sabotage.NONE);
    }

    static Result run(long seed, Sabotage sabotage) {
        Simulation s = new Simulation(seed, sabotage);
        s.execute();
        return new Result(seed, s.config, s.checks.violations(), s.trace, s.stats);
    }

    private FakeBranchInvoker network(FakeBranchInvoker.Participant to, FakeBranchInvoker.Chooser chaotic) {
        FakeBranchInvoker net = new FakeBranchInvoker(sabotage == Sabotage.NONE ? to : sabotaged(to),
                call -> chaos ? honestCheck(call, chaotic.choose(call)) : FakeBranchInvoker.Fate.DELIVER);
        return net.onDelay(d -> scheduler.after(Duration.ofMillis(1 + random.nextInt(3000)), null, "net",
                "late " + d.call().op().wire() + " " + d.call().branchId() + " " + d.call().gid(), () -> {
                    stats.lateDeliveries++;
                    CallResult r = d.deliver();
                    trace.add(clock.instant(), scheduler.depth(), "net", "  -> " + r.httpStatus() + " " + r.detail()
                            + " (to nobody)");
                }));
    }

    /**
     * A 409 the participant did not give stands for its refusal, which a producer's check endpoint gives only for a
     * local transaction that rolled back: that answer is the producer's word (docs/messages.md), so the network may
     * lose or delay a check-back, or answer it "not yet" (503), but not invent a rollback.
     */
    private static FakeBranchInvoker.Fate honestCheck(dev.pactum.core.spi.BranchCall call, FakeBranchInvoker.Fate fate) {
        return call.op() == BranchOp.CHECK && fate == FakeBranchInvoker.Fate.REPLY_409
                ? FakeBranchInvoker.Fate.REPLY_503 : fate;
    }

    private FakeBranchInvoker.Participant sabotaged(FakeBranchInvoker.Participant to) {
        return call -> {
            boolean lie = switch (sabotage) {
                case ACK_WITHOUT_DELIVERY -> call.op() == BranchOp.CONFIRM || call.op() == BranchOp.COMMIT
                        || call.op() == BranchOp.CANCEL || call.op() == BranchOp.ROLLBACK;
                case YES_WITHOUT_VOTE -> call.op() == BranchOp.PREPARE;
                case COMMITTED_WITHOUT_PRODUCER -> call.op() == BranchOp.CHECK;
                case NONE -> false;
            };
            return lie && random.nextInt(4) == 0 ? new CallResult(Outcome.SUCCESS, 200, "sabotage: not delivered")
                    : to.handle(call);
        };
    }

    /** A random node that is up, or null when all are down. */
    SimNode.Incarnation anyLiveNode() {
        List<SimNode.Incarnation> up = new ArrayList<>();
        for (SimNode n : nodes) {
            if (n.up() != null) {
                up.add(n.up());
            }
        }
        return up.isEmpty() ? null : up.get(random.nextInt(up.size()));
    }

    private void execute() {
        trace.add(clock.instant(), 1, "sim", "seed " + config.seed() + ": " + config.describe());
        for (int i = 1; i <= config.nodes(); i++) {
            SimNode n = new SimNode("n" + i, this);
            nodes.add(n);
            n.start();
        }
        for (int i = 0; i < config.clients(); i++) {
            if (config.msg() > 0 && random.nextDouble() < config.msg()) {
                SimProducer p = new SimProducer(this, i);
                producers.add(p);
                p.schedule();
            } else {
                SimClient c = new SimClient(this, i);
                clients.add(c);
                c.schedule();
            }
        }
        if (!producers.isEmpty()) {
            operatorRound();
        }
        // Faults go on after the clients are done, so that phase 2 and recovery run under them too.
        Instant chaosEnd = clock.instant().plus(CHAOS);
        Instant clientsDone = null;
        while (clock.instant().isBefore(chaosEnd) && scheduler.steps() < MAX_STEPS) {
            if (clientsDone == null && clients.stream().allMatch(SimClient::done)
                    && producers.stream().allMatch(SimProducer::done)) {
                clientsDone = clock.instant();
                chaosEnd = min(chaosEnd, clientsDone.plus(config.chaosTail()));
            }
            if (clientsDone != null && settled() || !scheduler.step()) {
                break;
            }
        }
        chaos = false;
        trace.add(clock.instant(), 1, "sim", "quiesce: no more faults");
        Instant deadline = clock.instant().plus(QUIESCE);
        while (!settled() && clock.instant().isBefore(deadline) && scheduler.steps() < MAX_STEPS && scheduler.step()) {
            // quiesce
        }
        stats.schedules = 1;
        stats.steps = scheduler.steps();
        if (!settled()) {
            checks.violation("6", "not settled " + QUIESCE + " after the faults stopped (" + scheduler.steps()
                    + " steps): " + store.countUnfinished() + " unfinished, clients done: "
                    + clients.stream().allMatch(SimClient::done));
        }
        checkEnd();
    }

    /**
     * The operator, every few seconds: resolves each PARKED half message by what the producer's database says (its
     * ledger), once the producer's local transaction has ended, through any live node (which may die under it).
     */
    private void operatorRound() {
        scheduler.after(Duration.ofSeconds(2 + random.nextInt(4)), null, "operator", "operator looks at PARKED", () -> {
            SimNode.Incarnation node = anyLiveNode();
            if (node != null) {
                for (GlobalTransaction tx : store.list(GlobalStatus.PARKED, null, 1000)) {
                    parkedSeen.add(tx.gid());
                    Boolean local = participants.ledger(tx.gid(), SimProducer.BRANCH).localCommitted;
                    if (local != null) {
                        SimClient.call(this, tx.gid(), node, "operator resolve", s -> s.resolve(tx.gid(),
                                new dev.pactum.api.ResolveRequest(local ? "commit" : "abort", "producer's database")),
                                v -> stats.resolved++, failed -> { });
                    }
                }
            }
            operatorRound();
        });
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** Every client done, every transaction final, no late message or restart still to come. */
    private boolean settled() {
        return clients.stream().allMatch(SimClient::done) && producers.stream().allMatch(SimProducer::done)
                && store.countUnfinished() == 0
                && !scheduler.hasPending(e -> e.kind.equals("net") || e.kind.equals("restart"));
    }

    /** The end state against the participants' ledgers and the clients' answers (invariants 2, 3 and 6). */
    private void checkEnd() {
        for (GlobalTransaction tx : store.list(null, null, 1000)) {
            stats.transactions++;
            String gid = tx.gid();
            if (!tx.status().isFinal()) {
                checks.violation("6", gid + " ended " + tx.status());
                continue;
            }
            boolean committed = tx.status() == GlobalStatus.COMMITTED;
            if (tx.pattern() == TxPattern.MSG) {
                checkMessage(tx, committed);
                continue;
            }
            if (committed) {
                stats.committed++;
            } else {
                stats.aborted++;
                if ("timeout".equals(tx.reason())) {
                    stats.timeouts++;
                } else if (tx.reason() != null && tx.reason().contains("presumed abort")) {
                    stats.presumedAborts++;
                }
            }
            for (BranchRecord b : store.branches(gid)) {
                ModelParticipants.Ledger l = participants.ledger(gid, b.branchId());
                BranchStatus want = committed ? BranchStatus.CONFIRMED : BranchStatus.CANCELLED;
                if (b.status() != want) {
                    checks.violation("2", gid + " is " + tx.status() + " but branch " + b.branchId() + " is "
                            + b.status());
                }
                if (committed && (l == null || !l.committedHere() || !l.readyToCommit())) {
                    checks.violation("2", gid + " is COMMITTED but participant " + b.branchId() + " holds " + l);
                }
                if (!committed && (l == null || !l.abortedHere() || l.committedHere())) {
                    checks.violation("2", gid + " is ABORTED but participant " + b.branchId() + " holds " + l);
                }
            }
        }
        for (ModelParticipants.Ledger l : participants.all()) {
            if (l.holdsEffect()) {
                checks.violation("6", "participant " + l.branchId + " of " + l.gid + " is left holding " + l
                        + " (transaction " + store.find(l.gid).map(GlobalTransaction::status).orElse(null) + ")");
            }
        }
        for (SimClient c : clients) {
            checkAnswered(c.gid, c.expect);
        }
        for (SimProducer p : producers) {
            checkAnswered(p.gid, p.expect);
            ModelParticipants.Ledger l = participants.ledger(p.gid, SimProducer.BRANCH);
            if (store.find(p.gid).isEmpty() && (l.delivered > 0 || Boolean.TRUE.equals(l.localCommitted))) {
                checks.violation("4", p.gid + " was never stored but its producer holds " + l);
            }
        }
        stats.parked += parkedSeen.size();
    }

    private void checkAnswered(String gid, SimClient.Expect expect) {
        GlobalStatus end = store.find(gid).map(GlobalTransaction::status).orElse(null);
        if (expect == SimClient.Expect.COMMITTED && end != GlobalStatus.COMMITTED
                || expect == SimClient.Expect.ABORTED && end != GlobalStatus.ABORTED) {
            checks.violation("6", gid + " was answered as going to " + expect + " but ended " + end);
        }
    }

    /** Invariant 4: a half message is delivered if and only if its producer's local transaction committed. */
    private void checkMessage(GlobalTransaction tx, boolean committed) {
        stats.messages++;
        if (committed) {
            stats.committed++;
        } else {
            stats.aborted++;
        }
        ModelParticipants.Ledger l = participants.ledger(tx.gid(), SimProducer.BRANCH);
        boolean producerCommitted = Boolean.TRUE.equals(l.localCommitted);
        if (committed != producerCommitted) {
            checks.violation("4", tx.gid() + " ended " + tx.status() + " (" + tx.reason() + ") but the producer holds " + l);
        }
        if (committed && l.delivered == 0 || !committed && l.delivered > 0) {
            checks.violation("4", tx.gid() + " ended " + tx.status() + " and was delivered " + l.delivered + " times");
        }
        for (BranchRecord b : store.branches(tx.gid())) {
            BranchStatus want = committed ? BranchStatus.CONFIRMED : BranchStatus.REGISTERED;
            if (b.status() != want) {
                checks.violation("2", tx.gid() + " is " + tx.status() + " but its message " + b.branchId() + " is "
                        + b.status());
            }
        }
    }
}
