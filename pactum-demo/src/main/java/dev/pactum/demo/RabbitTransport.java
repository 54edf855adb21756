package dev.pactum.demo;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import dev.pactum.api.MessageId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The message demo on the machine's RabbitMQ (127.0.0.1:5672, guest/guest): one direct exchange per run, one
 * queue per service bound by its role; the coordinator publishes with confirms, each service consumes its queue
 * with manual acknowledgements.
 */
final class RabbitTransport implements MsgTransport {
    private static final Logger log = LoggerFactory.getLogger(RabbitTransport.class);
    static final int PORT = 5672;
    private static final List<String> ROLES = List.of("order", "payment", "warehouse");

    private final String exchange;
    private final Connection connection;

    private RabbitTransport(String exchange, Connection connection) {
        this.exchange = exchange;
        this.connection = connection;
    }

    static RabbitTransport open(String run) throws Exception {
        String exchange = "pactum-demo-" + run;
        Connection c;
        try {
            c = factory().newConnection("pactum-demo-setup");
        } catch (Exception e) {
            throw MsgTransport.unreachable("rabbitmq", e);
        }
        try (Channel ch = c.createChannel()) {
            ch.exchangeDeclare(exchange, "direct", false, false, null);
            for (String role : ROLES) {
                // not exclusive, not auto-deleted: a service killed with kill -9 finds its messages on its return
                ch.queueDeclare(queue(exchange, role), false, false, false, null);
                ch.queueBind(queue(exchange, role), exchange, role);
            }
        }
        return new RabbitTransport(exchange, c);
    }

    private static String queue(String exchange, String role) {
        return exchange + "-" + role;
    }

    private static ConnectionFactory factory() {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(MsgTransport.host());
        f.setPort(PORT);
        f.setUsername("guest");
        f.setPassword("guest");
        f.setConnectionTimeout(5000);
        return f;
    }

    @Override
    public String name() {
        return "rabbitmq";
    }

    @Override
    public URI destination(String role, String serviceUrl) {
        return URI.create("amqp://" + MsgTransport.host() + ":" + PORT + "/" + exchange + "?routingKey=" + role);
    }

    @Override
    public URI subscription(String role) {
        return URI.create("amqp://" + MsgTransport.host() + ":" + PORT + "/" + queue(exchange, role));
    }

    @Override
    public String describe() {
        return "RabbitMQ " + MsgTransport.host() + ":" + PORT + ", exchange " + exchange + ", queues " + exchange
                + "-{order,payment,warehouse}";
    }

    @Override
    public void close() {
        try (Channel ch = connection.createChannel()) {
            for (String role : ROLES) {
                ch.queueDelete(queue(exchange, role));
            }
            ch.exchangeDelete(exchange);
        } catch (Exception e) {
            log.warn("could not delete exchange {} and its queues: {}", exchange, e.toString());
        }
        try {
            connection.close();
        } catch (Exception e) {
            log.debug("close", e);
        }
    }

    /** The service side: consumes {@code amqp://host:port/queue}, each delivery on a virtual thread. */
    static MsgSubscriber subscribe(URI subscription, MsgService service) throws Exception {
        String queue = subscription.getPath().substring(1);
        Connection c = factory().newConnection("pactum-demo-" + queue);
        Channel ch = c.createChannel();
        ch.basicQos(64);
        ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
        ch.basicConsume(queue, false, (tag, d) -> workers.submit(() -> handle(ch, d, service)), tag -> {
        });
        log.info("consuming RabbitMQ queue {}", queue);
        return () -> {
            try {
                c.close(3000);
            } catch (Exception e) {
                log.debug("close", e);
            }
            workers.shutdownNow();
        };
    }

    private static void handle(Channel ch, Delivery d, MsgService service) {
        long tag = d.getEnvelope().getDeliveryTag();
        Map<String, Object> headers = d.getProperties().getHeaders();
        MsgService.Consumed result;
        try {
            MessageId id = MessageId.fromHeaders(n -> headers == null || headers.get(n) == null ? null
                    : headers.get(n).toString());
            result = service.consume(id, d.getBody());
        } catch (RuntimeException e) {
            log.warn("RabbitMQ message without a valid message id, dropped: {}", e.toString());
            result = MsgService.Consumed.REFUSED;
        }
        try {
            if (result == MsgService.Consumed.RETRY) {
                Thread.sleep(200); // not at once: what failed (the coordinator, a lock) needs a moment
            }
            synchronized (ch) { // one channel, acknowledged from many threads
                switch (result) {
                    case DONE -> ch.basicAck(tag, false);
                    case REFUSED -> ch.basicReject(tag, false);
                    case RETRY -> ch.basicNack(tag, false, true);
                }
            }
        } catch (Exception e) {
            // the channel is gone: the broker redelivers what was not acknowledged
            log.warn("RabbitMQ acknowledgement of {} failed: {}", tag, e.toString());
        }
    }
}
