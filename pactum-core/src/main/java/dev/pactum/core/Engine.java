package dev.pactum.core;

import dev.pactum.core.recovery.RecoveryWorker;
import dev.pactum.core.spi.BranchInvoker;
import dev.pactum.core.spi.TransactionStore;
import dev.pactum.core.tcc.TccPattern;
import dev.pactum.core.xa.XaPattern;

import java.time.Clock;
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

    public Engine(TransactionStore store, BranchInvoker invoker, CoordinatorConfig config, CoordinatorMetrics metrics,
                  Clock clock) {
        calls = new PhaseTwoCalls(invoker, metrics);
        // Decisions checks every move against the pattern's table, and the patterns need Decisions: the lookup
        // reads the registry when a move is made, by which time the constructor has set it.
        AtomicReference<PatternRegistry> registry = new AtomicReference<>();
        Decisions decisions = new Decisions(store, id -> registry.get().of(id).table(), config, metrics, clock);
        PhaseTwoRound round = new PhaseTwoRound(store, calls, decisions, new Backoff(config.retryBase(),
                config.retryCap()), clock, config.failpoints());
        ActiveTimeout timeout = new ActiveTimeout(decisions, clock);
        patterns = PatternRegistry.of(
                new TccPattern(round, timeout),
                new XaPattern(store, calls, round, decisions, timeout, clock, config.failpoints()));
        registry.set(patterns);
        driver = new TransactionDriver(patterns);
        worker = new RecoveryWorker(store, driver, config, clock, metrics);
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
