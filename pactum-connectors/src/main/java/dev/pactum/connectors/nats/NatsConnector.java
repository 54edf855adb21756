package dev.pactum.connectors.nats;

import dev.pactum.connectors.DestinationConnector;
import dev.pactum.connectors.ConnectorTimeouts;
import dev.pactum.connectors.Delivery;
import dev.pactum.connectors.Message;
import io.nats.client.Connection;
import io.nats.client.ErrorListener;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamOptions;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PublishOptions;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Delivers to NATS JetStream ({@code nats://host:port/subject}, see {@link NatsDestination}): a publish that waits
 * for the stream's acknowledgement, so delivered means stored by the stream. The message id is the
 * {@code Nats-Msg-Id} header ({@code gid/branchId}), which JetStream de-duplicates within the stream's duplicate
 * window (2 minutes by default): a redelivery after a lost ack is stored once and acknowledged as a duplicate,
 * which counts as delivered. The id, key and traceparent are also headers, as over HTTP.
 *
 * <p>One connection per server, opened on first use; it reconnects by itself after a server restart, and a
 * publish while it is away waits at most the delivery timeout (try later). A subject no stream covers is try
 * later: a stream may be created for it.
 */
public final class NatsConnector extends DestinationConnector<NatsDestination> {
    private static final Logger log = LoggerFactory.getLogger(NatsConnector.class);

    private final ConnectorTimeouts timeouts;
    private final Map<String, Server> servers = new ConcurrentHashMap<>();

    public NatsConnector(ConnectorTimeouts timeouts) {
        super("nats", Set.of("nats"), NatsDestination::parse);
        this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
    }

    @Override
    protected Delivery deliverTo(NatsDestination d, Message message) {
        String where = "subject " + d.subject() + " on " + d.server();
        JetStream js;
        try {
            js = servers.computeIfAbsent(d.server(), Server::new).jetStream();
        } catch (IOException | RuntimeException e) {
            return Delivery.tryLater("cannot connect to " + d.server() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Delivery.tryLater("interrupted while connecting to " + d.server());
        }
        Headers headers = new Headers();
        message.transportHeaders().forEach(headers::add);
        PublishOptions options = PublishOptions.builder()
                .messageId(message.id().wire())
                .streamTimeout(timeouts.delivery())
                .build();
        try {
            PublishAck ack = js.publish(d.subject(), headers, message.payload(), options);
            return Delivery.delivered((ack.isDuplicate() ? "duplicate of a message stream " + ack.getStream()
                    + " already holds, " : "stored by stream " + ack.getStream() + " at sequence " + ack.getSeqno()
                    + ", ") + where);
        } catch (JetStreamApiException e) {
            return Delivery.tryLater("JetStream refused the publish (" + e.getApiErrorCode() + " " + e.getMessage()
                    + "), " + where);
        } catch (IOException e) {
            // A timeout, or "no responders": no stream covers the subject (or the server is away).
            return Delivery.tryLater("no acknowledgement: " + e.getMessage() + ", " + where);
        } catch (IllegalArgumentException e) {
            // The client's own check: the payload exceeds the server's max_payload, a retry cannot help.
            return Delivery.refused(e.getMessage() + ", " + where);
        } catch (RuntimeException e) {
            return Delivery.tryLater("publish failed: " + e + ", " + where);
        }
    }

    @Override
    protected void release() {
        servers.values().forEach(Server::close);
        servers.clear();
    }

    @Override
    public String toString() {
        return "nats connector (" + timeouts + ")";
    }

    /** One server: its connection, opened lazily and again once closed for good. */
    private final class Server {
        private final String url;
        private final ReentrantLock connecting = new ReentrantLock();
        private volatile Connection connection;
        private volatile JetStream jetStream;

        Server(String url) {
            this.url = url;
        }

        JetStream jetStream() throws IOException, InterruptedException {
            Connection c = connection;
            if (c != null && c.getStatus() != Connection.Status.CLOSED) {
                return jetStream;
            }
            // Bounded: a delivery waits for another one's connect at most one connect timeout.
            if (!connecting.tryLock(timeouts.connectMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("another delivery is still connecting to " + url);
            }
            try {
                c = connection;
                if (c != null && c.getStatus() != Connection.Status.CLOSED) {
                    return jetStream;
                }
                Options options = Options.builder()
                        .server(url)
                        .connectionName("pactum-connector")
                        .connectionTimeout(timeouts.connect())
                        .maxReconnects(-1) // after a first success, keep reconnecting; publishes meanwhile time out
                        .reconnectWait(Duration.ofMillis(250))
                        .noRandomize()
                        .errorListener(new ErrorListener() {
                            // The client reports each failed reconnect; deliveries report what matters.
                            @Override
                            public void errorOccurred(Connection conn, String error) {
                                log.warn("nats {}: {}", url, error);
                            }

                            @Override
                            public void exceptionOccurred(Connection conn, Exception exp) {
                                log.debug("nats {}: {}", url, exp.toString());
                            }
                        })
                        .build();
                c = Nats.connect(options);
                JetStream js = c.jetStream(JetStreamOptions.builder().requestTimeout(timeouts.delivery()).build());
                jetStream = js;
                connection = c;
                log.info("nats connector connected to {}", url);
                return js;
            } finally {
                connecting.unlock();
            }
        }

        void close() {
            Connection c = connection;
            if (c != null) {
                try {
                    c.close();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
