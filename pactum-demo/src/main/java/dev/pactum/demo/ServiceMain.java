package dev.pactum.demo;

import com.zaxxer.hikari.HikariDataSource;
import dev.pactum.client.PactumClient;
import dev.pactum.client.msg.MessageProducer;
import dev.pactum.client.xa.XaParticipant;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** One demo service as a process of its own: {@code --role order|payment|warehouse}. */
@Command(name = "demo-service", mixinStandardHelpOptions = true, description = "Run one service of the e-commerce demo.")
public final class ServiceMain implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(ServiceMain.class);

    enum Role { order, payment, warehouse }

    @Option(names = "--role", required = true, description = "order, payment or warehouse")
    Role role;
    @Option(names = "--port", required = true)
    int port;
    @Option(names = "--db", required = true, description = "JDBC URL of this service's own database")
    String db;
    @Option(names = "--db-user")
    String dbUser;
    @Option(names = "--db-password")
    String dbPassword;
    @Option(names = "--coordinator", description = "Coordinator URL (order service only)")
    URI coordinator;
    @Option(names = "--payment", description = "Payment service URL (order service only)")
    String payment;
    @Option(names = "--warehouse", description = "Warehouse service URL (order service only)")
    String warehouse;
    @Option(names = "--pattern", defaultValue = "tcc", description = "tcc, xa or msg")
    String pattern;
    @Option(names = "--failpoint", hidden = true, description = "Crash tests only: halt the process at this point (XA: "
            + XaAgent.AFTER_PREPARE + ", " + XaAgent.BEFORE_COMMIT + ", " + XaAgent.AFTER_COMMIT + "; msg, order only: "
            + PauseAfterCommit.NAME + ", for the orders that ask for it).")
    Set<String> failpoints = Set.of();
    @Option(names = "--send-to", description = "msg: where this service's messages go, by role (role=destination URI).")
    Map<String, URI> sendTo = Map.of();
    @Option(names = "--subscribe", description = "msg: the broker subscription this service consumes (amqp, kafka or"
            + " nats URI); none: messages arrive over HTTP at POST /msg/inbox.")
    URI subscribe;
    @Option(names = "--check-timeout", defaultValue = "PT4S", description = "msg: when the coordinator checks back a"
            + " message whose submit it has not heard (default: ${DEFAULT-VALUE}).")
    Duration checkTimeout;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ServiceMain()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        boolean xa = pattern.equalsIgnoreCase("xa");
        boolean msg = pattern.equalsIgnoreCase("msg");
        if (!failpoints.isEmpty() && !xa && !(msg && role == Role.order && failpoints.equals(Set.of(PauseAfterCommit.NAME)))) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--failpoint needs --pattern xa (or, "
                    + PauseAfterCommit.NAME + ", --pattern msg --role order)");
        }
        if (msg && coordinator == null) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--pattern msg needs --coordinator");
        }
        HikariDataSource ds = DemoDatabase.open(db, dbUser, dbPassword, role.name());
        String self = "http://127.0.0.1:" + port;
        PactumClient pactum = coordinator == null ? null : PactumClient.connect(coordinator);
        XaParticipant participant = null;
        XaAgent agent = null;
        if (xa) {
            // The coordinator is where recovery asks for the decision of a transaction found prepared.
            // Services may share a database server; each recovers only its own branch (named after its role).
            // 16 work connections, not the default 32: two services share the machine's PostgreSQL (100
            // connections for every service and test on it), and the payment branches queue on the merchant's
            // row anyway, so more connections would only hold more waiting work.
            participant = XaParticipant.builder(XaAgent.dataSource(db, dbUser, dbPassword)).coordinator(pactum)
                    .recoverOnly(b -> b.branchId().equals(role.name())).maxConnections(16).build();
            agent = new XaAgent(participant, failpoints);
            if (!failpoints.isEmpty()) {
                log.warn("{} service: FAILPOINTS ARMED (crash test): {}", role, failpoints);
            }
        }
        Map<String, ServiceHttp.Handler> routes = new HashMap<>();
        MsgService msgService = msg ? msgService(ds, pactum, self) : null;
        if (msg) {
            routes.putAll(msgService.routes());
        } else {
            switch (role) {
                case order -> {
                    OrderService s = new OrderService(ds, pactum, self, payment, warehouse, xa);
                    routes.putAll(s.routes());
                    if (xa) {
                        routes.putAll(s.xaRoutes(agent));
                    }
                }
                case payment -> {
                    PaymentService s = new PaymentService(ds);
                    routes.putAll(s.routes());
                    if (xa) {
                        routes.putAll(s.xaRoutes(agent));
                    }
                }
                case warehouse -> {
                    WarehouseService s = new WarehouseService(ds);
                    routes.putAll(s.routes());
                    if (xa) {
                        routes.putAll(s.xaRoutes(agent));
                    }
                }
            }
        }
        if (xa) {
            routes.putAll(agent.routes());
            participant.start();
        }
        XaParticipant xaParticipant = participant;
        ServiceHttp http = new ServiceHttp(role.name(), port, routes);
        // After the HTTP server: the coordinator may check back a message of this service at once.
        MsgSubscriber subscriber = msg && subscribe != null ? MsgSubscriber.start(subscribe, msgService) : null;
        log.info("{} service on {} with database {}", role, self, DemoDatabase.describe(db));
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (subscriber != null) {
                subscriber.close();
            }
            http.close();
            if (xaParticipant != null) {
                xaParticipant.close();
            }
            if (pactum != null) {
                pactum.close();
            }
            ds.close();
            stop.countDown();
        }));
        stop.await();
        return 0;
    }

    /** The message demo's service of this role, with its producer (over the failpoint's data source if armed). */
    private MsgService msgService(DataSource ds, PactumClient pactum, String self) throws java.sql.SQLException {
        boolean pause = failpoints.contains(PauseAfterCommit.NAME);
        if (pause) {
            log.warn("{} service: FAILPOINT ARMED (crash demo): {}", role, PauseAfterCommit.NAME);
        }
        MessageProducer producer = MessageProducer.builder().client(pactum)
                .dataSource(pause ? PauseAfterCommit.wrap(ds) : ds)
                .checkUrl(URI.create(self + "/pactum/check")).checkTimeout(checkTimeout).build();
        return switch (role) {
            case order -> new MsgOrderService(ds, producer, sendTo, pause);
            case payment -> new MsgPaymentService(ds, producer, sendTo);
            case warehouse -> new MsgWarehouseService(ds, producer, sendTo);
        };
    }
}
