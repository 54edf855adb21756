package dev.pactum.core;

import dev.pactum.core.msg.Destinations;
import dev.pactum.core.msg.MsgPattern;
import dev.pactum.core.recovery.RecoveryWorker;
import dev.pactum.core.spi.BranchInvoker;
import dev.pactum.core.spi.TransactionStore;
import dev.pactum.core.tcc.TccPattern;
import dev.pactum.core.xa.XaPattern;

import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongUnaryOperator;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The coordinator's core wired in one place: the patterns it runs, the one decision path, phase 2, the driver and
 * the recovery worker, and the transport-free service on top. The server, the tests and embedders build it here
 * instead of repeating the wiring. The store and the invoker belong to the caller, who closes them after this.
 */
public final class Engine implements AutoCloseable {
    private final PhaseTwoCalls calls;
    private final PatternRegistry patterns;
    private final TransactionDriver driver;
    private final RecoveryWorker worker;
    private final CoordinatorService service;

    /**
     * Where the engine's background work runs and where backoff draws its jitter. Production uses virtual threads
     * and a thread-local random; the deterministic simulation passes executors that queue each task as a step of its
     * own scheduler and a jitter drawn from its one seeded random. Each executor is shut down by {@link #close}.
     *
     * @param jitter given n &gt; 0, a number in [0, n), or null for {@code ThreadLocalRandom}
     */
    public record Seams(ExecutorService driver, ExecutorService worker, ExecutorService calls, LongUnaryOperator jitter) {
        public static Seams production() {
            return new Seams(Executors.newVirtualThreadPerTaskExecutor(), Executors.newVirtualThreadPerTaskExecutor(),
                    Executors.newVirtualThreadPerTaskExecutor(), null);
        }
    }

    public Engine(TransactionStore store, BranchInvoker invoker, CoordinatorConfig config, CoordinatorMetrics metrics,
                  Clock clock) {
        this(store, invoker, config, metrics, clock, Seams.production());
    }

    public Engine(TransactionStore store, BranchInvoker invoker, CoordinatorConfig config, CoordinatorMetrics metrics,
                  Clock clock, Seams seams) {
        this(store, invoker, config, metrics, clock, seams, Destinations::check);
    }

    /**
     * @param destinations how a message's {@code deliver} target is checked when it is registered: the server passes
     *                     its connector registry's check, so a destination no connector can serve is a 400 at once
     *                     instead of a delivery retried for ever
     */
    public Engine(TransactionStore store, BranchInvoker invoker, CoordinatorConfig config, CoordinatorMetrics metrics,
                  Clock clock, Seams seams, BranchOperations.TargetCheck destinations) {
        calls = new PhaseTwoCalls(invoker, metrics, seams.calls());
        Backoff backoff = seams.jitter() == null ? new Backoff(config.retryBase(), config.retryCap())
                : new Backoff(config.retryBase(), config.retryCap(), seams.jitter());
        // Decisions checks every move against the pattern's table, and the patterns need Decisions: the lookup
        // reads the registry when a move is made, by which time the constructor has set it.
        AtomicReference<PatternRegistry> registry = new AtomicReference<>();
        Decisions decisions = new Decisions(store, id -> registry.get().of(id).table(),
                tx -> registry.get().of(tx.pattern()).orderedAtCommit(tx), config, metrics, clock);
        AtomicReference<TransactionDriver> driving = new AtomicReference<>();
        PhaseTwoRound round = new PhaseTwoRound(store, calls, decisions, backoff, clock, config.failpoints());
        ActiveTimeout timeout = new ActiveTimeout(decisions, clock);
        patterns = PatternRegistry.of(
                new TccPattern(round, timeout),
                new XaPattern(store, calls, round, decisions, timeout, clock, config.failpoints()),
                new MsgPattern(store, calls, round, decisions, backoff, clock, config.maxChecks(), destinations,
                        tx -> driving.get().startDriving(tx)));
        registry.set(patterns);
        driver = new TransactionDriver(patterns, seams.driver());
        driving.set(driver);
        worker = new RecoveryWorker(store, driver, config, clock, metrics, seams.worker());
        service = new CoordinatorService(store, patterns, decisions, driver, config, metrics, clock);
    }

    public CoordinatorService service() {
        return service;
    }

    public RecoveryWorker worker() {
        return worker;
    }

    public TransactionDriver driver() {
        return driver;
    }

    public PatternRegistry patterns() {
        return patterns;
    }

    /** Stops the worker, then the driver, then the calls in flight; the store and invoker stay open. */
    @Override
    public void close() {
        worker.close();
        driver.close();
        calls.close();
    }
}
