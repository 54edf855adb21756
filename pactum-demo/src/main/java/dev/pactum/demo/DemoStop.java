package dev.pactum.demo;

import dev.pactum.api.GlobalStatus;
import dev.pactum.client.PactumClient;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stops the demo's processes so that nothing stays prepared, whether the demo ended or was interrupted (Ctrl-C,
 * SIGTERM: the shutdown hook calls {@link #stop}). The order matters:
 *
 * <ol>
 *   <li>no new order is submitted ({@link #stopping()});</li>
 *   <li>the coordinator finishes what is in flight: the stop waits until it reports no transaction ACTIVE,
 *       PREPARING, COMMITTING or ABORTING, at most {@link #DRAIN} (longer than the demo's transaction timeout,
 *       so an ACTIVE one whose transaction manager went quiet is aborted by then);</li>
 *   <li>the services stop, the transaction manager (order) first: each rolls back its unprepared branches;</li>
 *   <li>the coordinator stops;</li>
 *   <li>what the run created on a broker is deleted ({@link #last}).</li>
 * </ol>
 *
 * Before this, a Ctrl-C stopped the coordinator first (and the terminal's SIGINT reached every child at once):
 * prepared branches whose decision was taken but not delivered stayed prepared, holding their locks, with no
 * participant left to recover them. Whatever the drain could not finish (a bound hit) stays prepared in the
 * database and is settled by the next participant's recovery.
 */
final class DemoStop {
    static final Duration DRAIN = Duration.ofSeconds(45);
    private static final List<GlobalStatus> UNFINISHED = List.of(GlobalStatus.ACTIVE, GlobalStatus.PREPARING,
            GlobalStatus.COMMITTING, GlobalStatus.ABORTING);

    private final List<ChildProcess> services = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> lastly = new CopyOnWriteArrayList<>();
    private volatile ChildProcess coordinator;
    private volatile String coordinatorUrl;
    private volatile boolean stopping;
    private boolean stopped; // guarded by this

    void coordinator(ChildProcess process, String url) {
        this.coordinator = process;
        this.coordinatorUrl = url;
    }

    /** Services in the order they were started; they are stopped in the reverse order. */
    void service(ChildProcess process) {
        services.add(process);
    }

    private final Thread hook = new Thread(() -> stop("interrupted"), "pactum-demo-stop");

    /** A stop that runs on Ctrl-C or SIGTERM (a shutdown hook) until {@link #end}. */
    static DemoStop onInterrupt() {
        DemoStop s = new DemoStop();
        Runtime.getRuntime().addShutdownHook(s.hook);
        return s;
    }

    /** The demo's own end: stops in order, and the hook is no longer needed. */
    void end() {
        stop("the demo ended");
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
    }

    /** A service started again (the message demo's crash phase) takes the place of the one that died. */
    void replace(ChildProcess dead, ChildProcess restarted) {
        services.replaceAll(p -> p == dead ? restarted : p);
    }

    /** Closed after every process has stopped, last registered first: what the run created on a broker. */
    void last(AutoCloseable resource) {
        lastly.add(resource);
    }

    /** True once a stop has begun: submit nothing more. */
    boolean stopping() {
        return stopping;
    }

    /**
     * Drains, then stops every process (idempotent; a second caller waits for the first). Runs with the caller's
     * interrupt status cleared, so that an interrupted demo (a test's timeout) still stops in order.
     *
     * @param why printed when there is something in flight to wait for
     */
    synchronized void stop(String why) {
        if (stopped) {
            return;
        }
        stopped = true;
        stopping = true;
        boolean interrupted = Thread.interrupted();
        try {
            ChildProcess c = coordinator;
            if (c != null && c.isAlive()) {
                drain(why);
            }
            List<ChildProcess> reverse = new ArrayList<>(services);
            java.util.Collections.reverse(reverse);
            reverse.forEach(ChildProcess::close);
            if (c != null) {
                c.close();
            }
            List<AutoCloseable> resources = new ArrayList<>(lastly);
            java.util.Collections.reverse(resources);
            for (AutoCloseable r : resources) {
                try {
                    r.close();
                } catch (Exception e) {
                    System.err.println("pactum demo: could not clean up " + r + ": " + e);
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void drain(String why) {
        long deadline = System.nanoTime() + DRAIN.toNanos();
        boolean said = false;
        try (PactumClient pactum = PactumClient.connect(URI.create(coordinatorUrl), Duration.ofSeconds(5))) {
            while (true) {
                int unfinished = unfinished(pactum);
                if (unfinished == 0) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    System.err.println("pactum demo: " + unfinished + "+ transactions still unfinished after " + DRAIN
                            + "; stopping anyway (the participants' recovery settles what stays prepared)");
                    return;
                }
                if (!said) {
                    System.err.println("pactum demo: " + why + ": letting the coordinator finish " + unfinished
                            + "+ transactions in flight (at most " + DRAIN + ") before stopping the services");
                    said = true;
                }
                Thread.sleep(200);
            }
        } catch (RuntimeException e) {
            System.err.println("pactum demo: cannot ask the coordinator what is in flight (" + e.getMessage()
                    + "); stopping");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** How many transactions are unfinished (a lower bound: one page of each status). */
    private static int unfinished(PactumClient pactum) {
        int n = 0;
        for (GlobalStatus s : UNFINISHED) {
            n += pactum.list(s, null, 100).transactions().size();
        }
        return n;
    }
}
