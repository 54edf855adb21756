package dev.pactum.connectors.amqp;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Return;
import dev.pactum.connectors.DestinationConnector;
import dev.pactum.connectors.Delivery;
import dev.pactum.connectors.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Delivers to RabbitMQ ({@code amqp://host:port/exchange?routingKey=...}, see {@link AmqpDestination}) with
 * publisher confirms: a message counts as delivered only when the broker has confirmed it, and it is published
 * {@code mandatory}, so a message that no queue takes comes back (basic.return) and is reported
 * {@link Delivery.Status#TRY_LATER}, not silently dropped. Messages are persistent (delivery mode 2); the message
 * id is the AMQP {@code message-id} property ({@code gid/branchId}), and the id, key and traceparent are also
 * headers, as over HTTP.
 *
 * <p>One connection per broker and virtual host, opened on first use and reopened after it breaks (the client's
 * own automatic recovery is off: a failed delivery is the caller's to retry, and a recovering connection would
 * hold publishes for an unbounded time). Each delivery has a confirm channel to itself for the time of its
 * publish and confirm; idle channels are reused.
 */
public final class RabbitConnector extends DestinationConnector<AmqpDestination> {
    private static final Logger log = LoggerFactory.getLogger(RabbitConnector.class);

    private final RabbitConnectorConfig config;
    private final Map<String, Broker> brokers = new ConcurrentHashMap<>();

    public RabbitConnector(RabbitConnectorConfig config) {
        super("amqp", Set.of("amqp"), AmqpDestination::parse);
        this.config = Objects.requireNonNull(config, "config");
    }

    @Override
    protected Delivery deliverTo(AmqpDestination d, Message message) {
        Broker broker = brokers.computeIfAbsent(d.broker(), k -> new Broker(d));
        ConfirmChannel ch;
        try {
            ch = broker.acquire();
        } catch (IOException | TimeoutException | RuntimeException e) {
            return Delivery.tryLater("cannot open a channel to " + d.broker() + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Delivery.tryLater("interrupted while connecting to " + d.broker());
        }
        String routingKey = d.routingKeyFor(message.key());
        String where = "exchange '" + d.exchange() + "' routing key '" + routingKey + "' on " + d.broker();
        boolean reusable = false;
        try {
            ch.returned = null;
            ch.channel.basicPublish(d.exchange(), routingKey, true, properties(message), message.payload());
            boolean acked = ch.channel.waitForConfirms(config.timeouts().deliveryMillis());
            reusable = true;
            Return r = ch.returned;
            if (r != null && message.id().wire().equals(r.getProperties().getMessageId())) {
                return Delivery.tryLater("unroutable: the broker returned it (" + r.getReplyCode() + " "
                        + r.getReplyText() + "), " + where);
            }
            return acked ? Delivery.delivered("confirmed, " + where)
                    : Delivery.tryLater("the broker nacked it, " + where);
        } catch (TimeoutException e) {
            return Delivery.tryLater("no publisher confirm within " + config.timeouts().delivery().toMillis()
                    + " ms, " + where);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Delivery.tryLater("interrupted waiting for the confirm, " + where);
        } catch (IOException | RuntimeException e) {
            // ShutdownSignalException (a channel closed by the broker: unknown exchange, 404) and
            // AlreadyClosedException are runtime exceptions of the client.
            return Delivery.tryLater("publish failed, " + where + ": " + e.getMessage());
        } finally {
            if (reusable) {
                broker.release(ch);
            } else {
                ch.closeQuietly();
            }
        }
    }

    private static AMQP.BasicProperties properties(Message message) {
        Map<String, Object> headers = new LinkedHashMap<>();
        String contentType = "application/octet-stream";
        for (Map.Entry<String, String> h : message.transportHeaders().entrySet()) {
            if (h.getKey().equalsIgnoreCase("Content-Type")) {
                contentType = h.getValue();
            } else {
                headers.put(h.getKey(), h.getValue());
            }
        }
        return new AMQP.BasicProperties.Builder()
                .messageId(message.id().wire())
                .deliveryMode(2)
                .contentType(contentType)
                .appId("pactum")
                .headers(headers)
                .build();
    }

    @Override
    protected void release() {
        brokers.values().forEach(Broker::close);
        brokers.clear();
    }

    @Override
    public String toString() {
        return "amqp connector (" + config + ")";
    }

    /** A confirm channel and the last message the broker returned on it. */
    private static final class ConfirmChannel {
        final Channel channel;
        /** Written by the connection's reader thread before it processes the confirm of the same message. */
        volatile Return returned;

        ConfirmChannel(Channel channel) throws IOException {
            this.channel = channel;
            channel.confirmSelect();
            channel.addReturnListener(r -> returned = r);
        }

        void closeQuietly() {
            try {
                if (channel.isOpen()) {
                    channel.abort();
                }
            } catch (IOException | RuntimeException e) {
                log.debug("closing channel {} failed", channel.getChannelNumber(), e);
            }
        }
    }

    /** One broker and virtual host: its connection, opened lazily, and its idle channels. */
    private final class Broker {
        private final AmqpDestination where;
        private final ReentrantLock connecting = new ReentrantLock();
        private final ConcurrentLinkedDeque<ConfirmChannel> idle = new ConcurrentLinkedDeque<>();
        private final AtomicInteger idleCount = new AtomicInteger();
        private volatile Connection connection;

        Broker(AmqpDestination where) {
            this.where = where;
        }

        ConfirmChannel acquire() throws IOException, TimeoutException, InterruptedException {
            ConfirmChannel ch;
            while ((ch = idle.pollFirst()) != null) {
                idleCount.decrementAndGet();
                if (ch.channel.isOpen()) {
                    return ch;
                }
            }
            Channel channel = connection().createChannel();
            if (channel == null) {
                throw new IOException("no channel left on the connection to " + where.broker());
            }
            return new ConfirmChannel(channel);
        }

        void release(ConfirmChannel ch) {
            if (!isClosed() && ch.channel.isOpen()) {
                if (idleCount.incrementAndGet() <= config.idleChannels()) {
                    idle.offerFirst(ch);
                    return;
                }
                idleCount.decrementAndGet();
            }
            ch.closeQuietly();
        }

        private Connection connection() throws IOException, TimeoutException, InterruptedException {
            Connection c = connection;
            if (c != null && c.isOpen()) {
                return c;
            }
            // Bounded: a delivery waits for another one's connect at most one connect timeout.
            if (!connecting.tryLock(config.timeouts().connectMillis(), TimeUnit.MILLISECONDS)) {
                throw new TimeoutException("another delivery is still connecting to " + where.broker());
            }
            try {
                c = connection;
                if (c != null && c.isOpen()) {
                    return c;
                }
                dropIdle();
                ConnectionFactory f = new ConnectionFactory();
                f.setHost(where.host());
                f.setPort(where.port());
                f.setVirtualHost(where.vhost());
                f.setUsername(config.username());
                f.setPassword(config.password());
                f.setConnectionTimeout(config.timeouts().connectMillis());
                f.setHandshakeTimeout(config.timeouts().connectMillis());
                f.setChannelRpcTimeout(config.timeouts().deliveryMillis());
                f.setAutomaticRecoveryEnabled(false);
                f.setTopologyRecoveryEnabled(false);
                f.setRequestedHeartbeat(30);
                c = f.newConnection("pactum-connector");
                connection = c;
                log.info("amqp connector connected to {}", where.broker());
                return c;
            } finally {
                connecting.unlock();
            }
        }

        private void dropIdle() {
            ConfirmChannel ch;
            while ((ch = idle.pollFirst()) != null) {
                idleCount.decrementAndGet();
                ch.closeQuietly();
            }
        }

        void close() {
            dropIdle();
            Connection c = connection;
            if (c != null) {
                try {
                    c.close(config.timeouts().connectMillis());
                } catch (IOException | RuntimeException e) {
                    log.debug("closing the connection to {} failed", where.broker(), e);
                }
            }
        }
    }
}
