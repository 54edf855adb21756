package dev.pactum.demo;

import dev.pactum.api.MessageId;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The message demo on the machine's NATS JetStream (127.0.0.1:4222): one stream per run over the subjects
 * {@code <stream>.<role>}, and one durable pull consumer per service with explicit acknowledgements. A message
 * not acknowledged within {@link #ACK_WAIT} (its service was killed) is delivered again.
 */
final class NatsTransport implements MsgTransport {
    private static final Logger log = LoggerFactory.getLogger(NatsTransport.class);
    static final int PORT = 4222;
    private static final Duration ACK_WAIT = Duration.ofSeconds(10);
    private static final List<String> ROLES = List.of("order", "payment", "warehouse");

    private final String stream;
    private final Connection connection;

    private NatsTransport(String stream, Connection connection) {
        this.stream = stream;
        this.connection = connection;
    }

    static NatsTransport open(String run) throws Exception {
        String stream = "pactumdemo_" + run;
        Connection c;
        try {
            c = connect();
        } catch (Exception e) {
            throw MsgTransport.unreachable("nats", e);
        }
        JetStreamManagement jsm = c.jetStreamManagement();
        jsm.addStream(StreamConfiguration.builder().name(stream).subjects(stream + ".>")
                .storageType(StorageType.File).build());
        for (String role : ROLES) {
            jsm.addOrUpdateConsumer(stream, ConsumerConfiguration.builder().durable(role).filterSubject(subject(stream, role))
                    .ackPolicy(AckPolicy.Explicit).ackWait(ACK_WAIT).maxAckPending(1000).build());
        }
        return new NatsTransport(stream, c);
    }

    private static Connection connect() throws Exception {
        return Nats.connect(Options.builder().server("nats://" + MsgTransport.host() + ":" + PORT)
                .connectionTimeout(Duration.ofSeconds(5)).build());
    }

    private static String subject(String stream, String role) {
        return stream + "." + role;
    }

    @Override
    public String name() {
        return "nats";
    }

    @Override
    public URI destination(String role, String serviceUrl) {
        return URI.create("nats://" + MsgTransport.host() + ":" + PORT + "/" + subject(stream, role));
    }

    @Override
    public URI subscription(String role) {
        return URI.create("nats://" + MsgTransport.host() + ":" + PORT + "/" + subject(stream, role) + "?stream="
                + stream + "&durable=" + role);
    }

    @Override
    public String describe() {
        return "NATS JetStream " + MsgTransport.host() + ":" + PORT + ", stream " + stream + " (subjects " + stream
                + ".{order,payment,warehouse}, a durable consumer each)";
    }

    @Override
    public void close() {
        try {
            connection.jetStreamManagement().deleteStream(stream);
        } catch (Exception e) {
            log.warn("could not delete the stream {}: {}", stream, e.toString());
        }
        try {
            connection.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The service side: fetches from the durable consumer of {@code nats://host:port/subject?stream=s&durable=d}. */
    static MsgSubscriber subscribe(URI subscription, MsgService service) throws Exception {
        String subject = subscription.getPath().substring(1);
        String stream = null;
        String durable = null;
        for (String kv : subscription.getQuery().split("&")) {
            String[] p = kv.split("=", 2);
            if (p[0].equals("stream")) {
                stream = p[1];
            } else if (p[0].equals("durable")) {
                durable = p[1];
            }
        }
        Connection c = Nats.connect(Options.builder().server("nats://" + subscription.getAuthority())
                .connectionTimeout(Duration.ofSeconds(5)).build());
        JetStreamSubscription sub = c.jetStream().subscribe(subject, PullSubscribeOptions.bind(stream, durable));
        ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
        Thread fetcher = new Thread(() -> fetch(sub, workers, service), "nats-" + subject);
        fetcher.start();
        log.info("consuming NATS subject {} (stream {}, consumer {})", subject, stream, durable);
        return () -> {
            fetcher.interrupt();
            try {
                fetcher.join(5000);
                c.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            workers.shutdownNow();
        };
    }

    private static void fetch(JetStreamSubscription sub, ExecutorService workers, MsgService service) {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                for (Message m : sub.fetch(64, Duration.ofMillis(500))) {
                    workers.submit(() -> handle(m, service));
                }
            } catch (IllegalStateException closed) {
                return;
            } catch (RuntimeException e) {
                log.warn("NATS fetch failed, again in a moment: {}", e.toString());
                try {
                    Thread.sleep(500);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    private static void handle(Message m, MsgService service) {
        MsgService.Consumed result;
        try {
            MessageId id = MessageId.fromHeaders(n -> m.getHeaders() == null ? null : m.getHeaders().getFirst(n));
            result = service.consume(id, m.getData());
        } catch (RuntimeException e) {
            log.warn("NATS message without a valid message id, dropped: {}", e.toString());
            result = MsgService.Consumed.REFUSED;
        }
        switch (result) {
            case DONE -> m.ack();
            case REFUSED -> m.term();
            case RETRY -> m.nakWithDelay(Duration.ofMillis(300));
        }
    }
}
