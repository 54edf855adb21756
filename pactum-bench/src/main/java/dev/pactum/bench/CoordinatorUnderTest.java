package dev.pactum.bench;

import dev.pactum.core.CoordinatorConfig;
import dev.pactum.demo.ChildProcess;
import dev.pactum.server.Coordinator;
import dev.pactum.server.ServerConfig;
import dev.pactum.server.ServerMain;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The coordinator the benchmark drives: by default a process of its own, started from this JVM's class path, as
 * users deploy it (its CPU and context switches are then its own, not mixed with the load generator's); or one
 * inside the benchmark's process; or one already running elsewhere, known by its URL only.
 */
final class CoordinatorUnderTest implements AutoCloseable {
    enum Mode { PROCESS, IN_PROCESS, EXTERNAL }

    private final Mode mode;
    private final URI url;
    /** The wire protocol's address (pactum://host:port), or null when the coordinator has no wire port. */
    private final URI wireUrl;
    private final long pid;
    private final AutoCloseable resource;

    private CoordinatorUnderTest(Mode mode, URI url, URI wireUrl, long pid, AutoCloseable resource) {
        this.mode = mode;
        this.url = url;
        this.wireUrl = wireUrl;
        this.pid = pid;
        this.resource = resource;
    }

    /** One already running: HTTP at {@code url}, and the wire protocol at {@code wireUrl} if it is not null. */
    static CoordinatorUnderTest external(URI url, URI wireUrl) {
        return new CoordinatorUnderTest(Mode.EXTERNAL, url, wireUrl, -1, null);
    }

    static CoordinatorUnderTest inProcess(Path data, String storeUrl) throws Exception {
        CoordinatorConfig cc = CoordinatorConfig.builder().nodeId("bench").build();
        ServerConfig sc = new ServerConfig("127.0.0.1", 0, data, storeUrl, null, null, 64 * 1024,
                Duration.ofSeconds(10), cc, 0);
        Coordinator c = Coordinator.start(sc, Clock.systemUTC());
        return new CoordinatorUnderTest(Mode.IN_PROCESS, URI.create("http://127.0.0.1:" + c.port()),
                URI.create("pactum://127.0.0.1:" + c.wirePort()), ProcessHandle.current().pid(), c);
    }

    static CoordinatorUnderTest process(Path data, String storeUrl, Path logDir, List<String> jvmOptions)
            throws IOException, InterruptedException {
        int port = freePort();
        int wirePort = freePort();
        List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port), "--wire-port",
                Integer.toString(wirePort), "--data", data.toString(), "--node-id", "bench"));
        if (storeUrl != null) {
            args.addAll(List.of("--store-url", storeUrl));
        }
        ChildProcess child = ChildProcess.start("coordinator", logDir, ServerMain.class.getName(), jvmOptions, args);
        URI url = URI.create("http://127.0.0.1:" + port);
        try {
            child.awaitHealthy(url + "/health", Duration.ofSeconds(60));
        } catch (IOException | InterruptedException e) {
            child.close();
            throw e;
        }
        return new CoordinatorUnderTest(Mode.PROCESS, url, URI.create("pactum://127.0.0.1:" + wirePort), child.pid(),
                child);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    URI url() {
        return url;
    }

    /** Where the SDK reaches the coordinator's API: over HTTP, or over the wire protocol ({@code wire}). */
    URI clientUrl(boolean wire) {
        if (wire && wireUrl == null) {
            throw new IllegalStateException("the coordinator has no wire port: pass --coordinator-wire pactum://host:port");
        }
        return wire ? wireUrl : url;
    }

    Mode mode() {
        return mode;
    }

    /** CPU and context switches of the coordinator's process; unknown for an external one. */
    ProcessCounters counters() {
        return pid < 0 ? ProcessCounters.UNKNOWN : ProcessCounters.read(pid);
    }

    /**
     * Waits until the coordinator has no unfinished transaction (its own gauge, on /metrics), at most {@code bound};
     * returns the seconds it took.
     */
    double awaitNoUnfinished(java.net.http.HttpClient scraper, Duration bound) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        long deadline = t0 + bound.toNanos();
        while (System.nanoTime() < deadline) {
            double unfinished = MetricsScrape.of(scraper, url).get("pactum_transactions_unfinished");
            if (!(unfinished > 0)) {
                break;
            }
            Thread.sleep(5);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    String describe() {
        return switch (mode) {
            case PROCESS -> "own process, pid " + pid;
            case IN_PROCESS -> "inside the benchmark's process";
            case EXTERNAL -> "external, " + url;
        };
    }

    @Override
    public void close() throws Exception {
        if (resource != null) {
            resource.close();
        }
    }
}
