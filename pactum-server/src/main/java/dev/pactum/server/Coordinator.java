package dev.pactum.server;

import dev.pactum.api.InvalidInputException;
import dev.pactum.connectors.ConnectorSettings;
import dev.pactum.connectors.ConnectorTimeouts;
import dev.pactum.connectors.Connectors;
import dev.pactum.core.CoordinatorConfig;
import dev.pactum.core.CoordinatorMetrics;
import dev.pactum.core.CoordinatorService;
import dev.pactum.core.Engine;
import dev.pactum.core.msg.Destinations;
import dev.pactum.core.recovery.RecoveryWorker;
import dev.pactum.core.spi.BranchInvoker;
import dev.pactum.core.spi.StoreStats;
import dev.pactum.core.spi.TransactionStore;
import dev.pactum.server.api.ApiDispatcher;
import dev.pactum.server.http.ApiHandler;
import dev.pactum.server.http.JsonErrorHandler;
import dev.pactum.server.invoke.HttpBranchInvoker;
import dev.pactum.server.invoke.RoutingBranchInvoker;
import dev.pactum.server.wire.WireServer;
import dev.pactum.store.embedded.EmbeddedStoreConfig;
import dev.pactum.store.embedded.EmbeddedTransactionStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;

/**
 * The coordinator process, wired by hand (no container): store, service, workers, the HTTP server and, when
 * configured, the wire protocol's server beside it (both through one {@link ApiDispatcher}).
 * {@link #start} returns once the port is open and recovery has begun; {@link #close} stops in reverse order.
 */
public final class Coordinator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Coordinator.class);

    private final ServerConfig config;
    private final TransactionStore store;
    private final BranchInvoker invoker;
    private final BranchInvoker deliveries;
    private final Engine engine;
    private final RecoveryWorker worker;
    private final CoordinatorService service;
    private final PrometheusMeterRegistry registry;
    private final Server http;
    private final ServerConnector connector;
    private final ApiDispatcher api;
    private volatile WireServer wire;

    private Coordinator(ServerConfig config, TransactionStore store, Clock clock) {
        this.config = config;
        this.store = store;
        CoordinatorConfig cc = config.coordinator();
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        Gauge.builder("pactum.transactions.unfinished", store, TransactionStore::countUnfinished)
                .description("Global transactions not yet COMMITTED or ABORTED").register(registry);
        CoordinatorMetrics.bindStoreStats(registry, store);
        CoordinatorMetrics metrics = new CoordinatorMetrics(registry);
        invoker = new HttpBranchInvoker(config.branchTimeout());
        Connectors connectors = connectors(config);
        deliveries = new RoutingBranchInvoker(invoker, connectors);
        engine = new Engine(store, deliveries, cc, metrics, clock, Engine.Seams.production(),
                (field, value, required) -> checkDestination(connectors, field, value, required));
        worker = engine.worker();
        service = engine.service();

        QueuedThreadPool pool = new QueuedThreadPool();
        pool.setName("pactum-http");
        // Requests run on virtual threads: a handler may block on the store's fsync without holding a pool thread.
        // Platform threads (a pool of 256) were measured too: about twice the context switches per transaction.
        pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http = new Server(pool);
        HttpConfiguration hc = new HttpConfiguration();
        hc.setSendServerVersion(false);
        connector = new ServerConnector(http, new HttpConnectionFactory(hc));
        connector.setHost(config.bind());
        connector.setPort(config.port());
        connector.setAcceptQueueSize(1024);
        http.addConnector(connector);
        // Jetty's own answers (a request it cannot parse, before any handler runs) get the API's JSON error body too.
        http.setErrorHandler(new JsonErrorHandler());
        api = new ApiDispatcher(service, config.maxBodyBytes(), this::health, registry::scrape, registry);
        http.setHandler(new ApiHandler(api));
    }

    /**
     * The connectors installed on the class path (http, amqp, kafka, nats), each delivery bounded so that a round of
     * phase 2 still ends inside the branch timeout: half of it to connect, half to be confirmed.
     */
    private static Connectors connectors(ServerConfig config) {
        Duration half = config.branchTimeout().dividedBy(2);
        return Connectors.builder().addInstalled(ConnectorSettings.of(new ConnectorTimeouts(half, half))).build();
    }

    /** A message destination must be a URI a configured connector serves: refused at registration, not retried for ever. */
    private static String checkDestination(Connectors connectors, String field, String value, boolean required) {
        String checked = Destinations.check(field, value, required);
        if (checked != null) {
            try {
                connectors.check(URI.create(checked));
            } catch (InvalidInputException e) {
                throw new InvalidInputException(field, field + ": " + e.getMessage());
            }
        }
        return checked;
    }

    /** Opens the configured store, starts recovery and the HTTP server. */
    public static Coordinator start(ServerConfig config, Clock clock) throws Exception {
        log.info("starting Pactum coordinator: {}", config.describe());
        TransactionStore store = config.storeUrl() == null
                ? EmbeddedTransactionStore.open(EmbeddedStoreConfig.durable(config.dataDir()))
                : JdbcStores.open(config);
        Coordinator c = new Coordinator(config, store, clock);
        // Before the port opens: nothing of this node can be in flight yet, so every lease it holds is stale.
        int released = store.releaseLeases(config.coordinator().nodeId(), clock.instant());
        if (released > 0) {
            log.info("took back {} transactions this node held before it stopped", released);
        }
        try {
            c.http.start();
            if (config.wirePort() != ServerConfig.WIRE_OFF) {
                c.wire = WireServer.start(c.api, config.bind(), config.wirePort());
            }
        } catch (Exception e) {
            c.close();
            throw e;
        }
        c.worker.start();
        log.info("Pactum coordinator listening on http://{}:{}{} (store: {}, {} unfinished transactions to resume)",
                config.bind(), c.port(), c.wire == null ? "" : " and pactum://" + config.bind() + ":" + c.wirePort(),
                store.name(), store.countUnfinished());
        return c;
    }

    public int port() {
        return connector.getLocalPort();
    }

    /** The wire protocol's port, or {@link ServerConfig#WIRE_OFF} when it is not open. */
    public int wirePort() {
        return wire == null ? ServerConfig.WIRE_OFF : wire.port();
    }

    public CoordinatorService service() {
        return service;
    }

    /** Transactions not yet COMMITTED or ABORTED, as the store counts them. */
    public long unfinished() {
        return store.countUnfinished();
    }

    /** What the store has written and fsync'd since it opened, if it counts that (the embedded store does). */
    public Optional<StoreStats> storeStats() {
        return store.stats();
    }

    public RecoveryWorker worker() {
        return worker;
    }

    private String health() {
        return "{\"status\":\"UP\",\"store\":\"" + store.name() + "\",\"node\":\"" + config.coordinator().nodeId()
                + "\",\"unfinished\":" + store.countUnfinished() + (wire == null ? "" : ",\"wirePort\":" + wire.port())
                + "}";
    }

    @Override
    public void close() {
        if (wire != null) {
            wire.close();
        }
        try {
            http.stop();
        } catch (Exception e) {
            log.warn("HTTP server did not stop cleanly", e);
        }
        engine.close();
        deliveries.close();
        invoker.close();
        store.close();
        registry.close();
        log.info("Pactum coordinator stopped");
    }
}
