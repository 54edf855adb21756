package dev.pactum.core.sim;

import dev.pactum.api.GlobalStatus;
import dev.pactum.core.CoordinatorConfig;
import dev.pactum.core.CoordinatorMetrics;
import dev.pactum.core.CoordinatorService;
import dev.pactum.core.Engine;
import dev.pactum.core.Failpoints;
import dev.pactum.core.TransactionDriver;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.recovery.RecoveryWorker;
import dev.pactum.core.spi.AddBranchResult;
import dev.pactum.core.spi.BeginResult;
import dev.pactum.core.spi.BranchCall;
import dev.pactum.core.spi.BranchInvoker;
import dev.pactum.core.spi.CallResult;
import dev.pactum.core.spi.TransactionStore;
import dev.pactum.core.testkit.HandOffExecutorService;
import dev.pactum.core.testkit.InMemoryTransactionStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * One coordinator node: the core wired as {@code Coordinator} in pactum-server wires it, with the simulation's
 * clock, store handle, invoker and executors. Each start makes a new {@link Incarnation}; a crash kills the
 * incarnation (its in-memory state, queued driver work and recovery loop are gone) and keeps the store.
 *
 * <p>Every store and branch call of an incarnation passes {@link Incarnation#io}, where the node may die, before the
 * call takes effect or after it did but before the caller learns of it.
 */
final class SimNode {
    private final String id;
    private final Simulation sim;
    private Incarnation current;
    private int starts;

    SimNode(String id, Simulation sim) {
        this.id = id;
        this.sim = sim;
    }

    String id() {
        return id;
    }

    /** The running incarnation, or null while the node is down. */
    Incarnation up() {
        return current != null && current.alive ? current : null;
    }

    /** Starts a new incarnation with the same node id, as a restarted process: it takes its own leases back first. */
    void start() {
        current = new Incarnation(++starts);
        int released = sim.store.releaseLeases(id, sim.clock.instant());
        sim.trace.add(sim.clock.instant(), 1, current.name(), "started" + (released > 0 ? ", took back " + released
                + " leases" : ""));
        current.scheduleRecovery();
    }

    final class Incarnation implements Scheduler.Owner {
        private final String name;
        boolean alive = true;
        final CoordinatorService service;
        final TransactionDriver driver;
        final RecoveryWorker worker;

        Incarnation(int number) {
            this.name = id + "#" + number;
            SimConfig c = sim.config;
            CoordinatorConfig cc = CoordinatorConfig.builder().nodeId(id).lease(c.lease()).retryBase(c.retryBase())
                    .retryCap(c.retryCap()).workerBatch(c.workerBatch()).workerInterval(c.workerInterval())
                    .defaultTimeout(c.maxTimeout()).maxTimeout(Duration.ofHours(1)).failpoints(Failpoints.none())
                    .maxChecks(c.maxChecks()).build();
            CoordinatorMetrics metrics = new CoordinatorMetrics(new SimpleMeterRegistry());
            TransactionStore store = new FencedStore();
            Engine engine = new Engine(store, new NodeInvoker(), cc, metrics, sim.clock, new Engine.Seams(
                    // The driver's background work becomes events of this incarnation, run when the scheduler picks them.
                    new HandOffExecutorService(task -> sim.scheduler.after(Duration.ofMillis(sim.random.nextInt(5)),
                            this, "drive", "driver round", task)),
                    HandOffExecutorService.direct(), HandOffExecutorService.direct(),
                    n -> Math.floorMod(sim.random.nextLong(), n)));
            driver = engine.driver();
            worker = engine.worker();
            service = engine.service();
        }

        @Override
        public String name() {
            return name;
        }

        void scheduleRecovery() {
            Duration interval = sim.config.workerInterval();
            sim.scheduler.after(interval.plusMillis(sim.random.nextInt((int) interval.toMillis() + 1)), this,
                    "recovery", "recovery pass", () -> {
                        try {
                            int drove = worker.runOnce();
                            if (drove > 0) {
                                sim.trace.add(sim.clock.instant(), sim.scheduler.depth(), name, "  drove " + drove);
                            }
                        } catch (SimulatedStoreFailure e) {
                            // RecoveryWorker's loop logs a failed pass and tries again after its interval.
                        }
                        scheduleRecovery();
                    });
        }

        /**
         * One store or branch call of this incarnation: refused if it is dead, and the place where it may die,
         * before the call (it never happened) or after (it happened, the node never learnt).
         */
        <T> T io(String what, Supplier<T> call) {
            return io(what, false, call);
        }

        /** A store call: may also fail without effect, the node living on. */
        <T> T storeIo(String what, Supplier<T> call) {
            return io(what, true, call);
        }

        private <T> T io(String what, boolean store, Supplier<T> call) {
            if (!alive) {
                throw new SimulatedCrash(name);
            }
            boolean before = sim.random.nextBoolean();
            if (before) {
                maybeCrash(what, "before");
            }
            if (sim.chaos && store && sim.random.nextDouble() < sim.config.storeFailurePerIo()) {
                sim.stats.storeFailures++;
                sim.trace.add(sim.clock.instant(), sim.scheduler.depth(), name, "  store failure: " + what);
                throw new SimulatedStoreFailure(what);
            }
            T result = call.get();
            if (!before) {
                maybeCrash(what, "after");
            }
            return result;
        }

        private void maybeCrash(String what, String when) {
            if (sim.chaos && sim.stats.crashes < sim.config.maxCrashes()
                    && sim.random.nextDouble() < sim.config.crashPerIo()) {
                crash(when + " " + what);
                throw new SimulatedCrash(name);
            }
        }

        /** Dies here: all in-memory state is gone; a machine crash of a lazy store loses its unsynced writes. */
        void crash(String where) {
            alive = false;
            sim.stats.crashes++;
            sim.scheduler.dropOwnedBy(this);
            boolean machine = sim.config.durability() == InMemoryTransactionStore.Durability.LAZY_AS_DOCUMENTED
                    && sim.random.nextBoolean();
            if (machine) {
                sim.stats.machineCrashes++;
                sim.stats.preparingLost += sim.store.preparingNotDurable();
                sim.store.crash();
            }
            sim.trace.add(sim.clock.instant(), sim.scheduler.depth(), name, "CRASH " + where
                    + (machine ? " (machine: unsynced writes lost)" : ""));
            sim.scheduler.after(Duration.ofMillis(sim.random.nextInt(3000)), null, "restart", "restart " + id,
                    SimNode.this::start);
        }

        /** The node's connection to the shared store. */
        private final class FencedStore implements TransactionStore {
            @Override
            public BeginResult begin(GlobalTransaction tx, List<BranchRecord> branches) {
                return storeIo("begin " + tx.gid(), () -> sim.store.begin(tx, branches));
            }

            @Override
            public Optional<GlobalTransaction> find(String gid) {
                return storeIo("find " + gid, () -> sim.store.find(gid));
            }

            @Override
            public List<BranchRecord> branches(String gid) {
                return storeIo("branches " + gid, () -> sim.store.branches(gid));
            }

            @Override
            public AddBranchResult addBranch(BranchRecord branch, GlobalStatus requiredStatus) {
                return storeIo("addBranch " + branch.branchId() + " " + branch.gid(),
                        () -> sim.store.addBranch(branch, requiredStatus));
            }

            @Override
            public Optional<GlobalTransaction> compareAndSet(GlobalTransaction expected, GlobalTransaction updated) {
                return compareAndSet(expected, updated, List.of());
            }

            @Override
            public Optional<dev.pactum.core.spi.LaneEntry> laneHead(String lane) {
                return storeIo("laneHead " + lane.substring(0, 8), () -> sim.store.laneHead(lane));
            }

            @Override
            public Optional<GlobalTransaction> compareAndSet(GlobalTransaction expected, GlobalTransaction updated,
                                                             List<BranchRecord> ordered) {
                return storeIo("cas " + expected.gid() + " " + expected.status() + "->" + updated.status(), () -> {
                    Optional<GlobalTransaction> r = sim.store.compareAndSet(expected, updated, ordered);
                    if (r.isPresent() && expected.status() != updated.status()) {
                        sim.trace.add(sim.clock.instant(), sim.scheduler.depth(), name, "  " + expected.gid() + " "
                                + expected.status() + " -> " + updated.status()
                                + (updated.reason() == null ? "" : " (" + updated.reason() + ")"));
                    }
                    return r;
                });
            }

            @Override
            public boolean updateBranch(BranchRecord expected, BranchRecord updated) {
                return storeIo("updateBranch " + expected.branchId() + " " + expected.gid(),
                        () -> sim.store.updateBranch(expected, updated));
            }

            @Override
            public List<GlobalTransaction> list(GlobalStatus status, String afterGid, int limit) {
                return storeIo("list", () -> sim.store.list(status, afterGid, limit));
            }

            @Override
            public List<GlobalTransaction> claimDue(String owner, Instant now, Instant leaseUntil, int limit) {
                return storeIo("claimDue", () -> sim.store.claimDue(owner, now, leaseUntil, limit));
            }

            @Override
            public int releaseLeases(String owner, Instant now) {
                return storeIo("releaseLeases", () -> sim.store.releaseLeases(owner, now));
            }

            @Override
            public long countUnfinished() {
                return storeIo("countUnfinished", sim.store::countUnfinished);
            }

            @Override
            public String name() {
                return sim.store.name();
            }

            @Override
            public void close() {
            }
        }

        /**
         * The node's side of the network. A call may be slow: time passes and other due work (other nodes, this
         * node's other requests and driver rounds) runs inside it, before the request reaches the participant or
         * after, as it would on other threads.
         */
        private final class NodeInvoker implements BranchInvoker {
            @Override
            public CallResult invoke(BranchCall call) {
                return io(call.op().wire() + " " + call.branchId() + " " + call.gid(), () -> {
                    boolean slowRequest = slow();
                    if (slowRequest) {
                        othersRun();
                    }
                    CallResult r = sim.coordinatorNetwork.invoke(call);
                    if (!slowRequest && slow()) {
                        othersRun();
                    }
                    sim.trace.add(sim.clock.instant(), sim.scheduler.depth(), name, "  " + call.op().wire() + " "
                            + call.branchId() + " " + call.gid() + " -> " + r.httpStatus() + " " + r.detail());
                    return r;
                });
            }

            private boolean slow() {
                return sim.chaos && sim.scheduler.depth() < 3 && sim.random.nextDouble() < sim.config.nestPerCall();
            }

            private void othersRun() {
                sim.stats.nestedCalls++;
                long max = sim.config.lease().toMillis() * 3 / 2;
                sim.clock.advance(Duration.ofMillis(sim.random.nextLong(max)));
                sim.scheduler.runNested(1 + sim.random.nextInt(3), e -> true);
                if (!alive) {
                    throw new SimulatedCrash(name); // died meanwhile, in its own other work
                }
            }
        }
    }
}
