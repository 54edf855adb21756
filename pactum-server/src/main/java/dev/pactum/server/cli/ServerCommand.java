package dev.pactum.server.cli;

import dev.pactum.core.CoordinatorConfig;
import dev.pactum.core.Failpoints;
import dev.pactum.server.Coordinator;
import dev.pactum.server.ServerConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code pactum server}: runs the coordinator until it is stopped (Ctrl-C or SIGTERM). */
@Command(name = "server", mixinStandardHelpOptions = true,
        description = "Run the Pactum coordinator (HTTP API on /api/v1, /health, /metrics; with --wire-port the same API"
                + " over the binary wire protocol for the Java SDK).")
public final class ServerCommand implements Callable<Integer> {
    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String bind;

    @Option(names = "--port", defaultValue = "7070", description = "HTTP port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--wire-port", defaultValue = "-1", description = "Port of the binary wire protocol beside HTTP"
            + " (docs/wire.md; the SDK's pactum://host:port), 0 for any free port; -1, the default, opens none.")
    int wirePort;

    @Option(names = "--data", defaultValue = "data", description = "Directory of the embedded store (default: ${DEFAULT-VALUE}).")
    Path data;

    @Option(names = "--store-url", description = "JDBC URL of a shared store (PostgreSQL or MariaDB) instead of the embedded one.")
    String storeUrl;

    @Option(names = "--store-user", description = "User of the JDBC store.")
    String storeUser;

    @Option(names = "--store-password", description = "Password of the JDBC store.")
    String storePassword;

    @Option(names = "--node-id", description = "This coordinator's name in leases; keep it across restarts"
            + " (default: pactum-<host name>-<port>).")
    String nodeId;

    @Option(names = "--default-timeout", defaultValue = "PT60S", description = "Timeout of an ACTIVE transaction when the client gives none (ISO-8601, default: ${DEFAULT-VALUE}).")
    Duration defaultTimeout;

    @Option(names = "--lease", defaultValue = "PT30S", description = "How long a node owns a transaction it drives (default: ${DEFAULT-VALUE}).")
    Duration lease;

    @Option(names = "--retry-base", defaultValue = "PT0.2S", description = "First delay between phase-2 attempts (default: ${DEFAULT-VALUE}).")
    Duration retryBase;

    @Option(names = "--retry-cap", defaultValue = "PT60S", description = "Largest delay between phase-2 attempts (default: ${DEFAULT-VALUE}).")
    Duration retryCap;

    @Option(names = "--branch-timeout", defaultValue = "PT10S", description = "Timeout of one phase-2 call (default: ${DEFAULT-VALUE}).")
    Duration branchTimeout;

    @Option(names = "--max-checks", defaultValue = "15", description = "Unanswered check-backs of a half message before"
            + " it is PARKED for an operator (default: ${DEFAULT-VALUE}, as RocketMQ; never dropped).")
    int maxChecks;

    @Option(names = "--failpoint", hidden = true, description = "Crash tests only: halt the process at this point.")
    java.util.Set<String> failpoints = java.util.Set.of();

    @Override
    public Integer call() throws Exception {
        ServerConfig config = toConfig();
        Coordinator c = Coordinator.start(config, Clock.systemUTC());
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            c.close();
            stopped.countDown();
        }, "pactum-shutdown"));
        stopped.await();
        return 0;
    }

    /** The machine's name, so that coordinators on different hosts sharing a store never share a node id. */
    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9.-]", "-");
        } catch (java.net.UnknownHostException e) {
            return "localhost";
        }
    }

    ServerConfig toConfig() {
        CoordinatorConfig cc = CoordinatorConfig.builder()
                .nodeId(nodeId != null ? nodeId : "pactum-" + hostName() + "-" + port)
                .defaultTimeout(defaultTimeout)
                .lease(lease)
                .retryBase(retryBase)
                .retryCap(retryCap)
                .failpoints(Failpoints.of(failpoints))
                .maxChecks(maxChecks)
                .build();
        return new ServerConfig(bind, port, data, storeUrl, storeUser, storePassword, 64 * 1024, branchTimeout, cc,
                wirePort);
    }
}
