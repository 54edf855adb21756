package dev.pactum.bench;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import java.net.URI;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The RabbitMQ destination, on the machine's broker (127.0.0.1:5672, guest): a direct exchange and a durable queue
 * bound to it, both named for this run and deleted after. Messages are persistent (the connector's delivery mode
 * 2), so a publisher confirm means the broker wrote them to the queue's store, for the coordinator and the raw
 * publisher alike. The consumer takes them with automatic acknowledgement: it only records receipts.
 */
final class RabbitBenchDestination implements MsgDestination {
    private static final String ROUTING_KEY = "bench";

    private final String name = MsgDestination.runName("pactum-bench-");
    private final Connection connection;
    private final Channel channel;

    RabbitBenchDestination(Consumer<String> onReceipt) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(5672);
        f.setUsername("guest");
        f.setPassword("guest");
        f.setConnectionTimeout(5000);
        f.setAutomaticRecoveryEnabled(false);
        connection = f.newConnection("pactum-bench-consumer");
        channel = connection.createChannel();
        channel.exchangeDeclare(name, "direct", true);
        channel.queueDeclare(name, true, false, false, Map.of());
        channel.queueBind(name, name, ROUTING_KEY);
        channel.basicQos(1000);
        channel.basicConsume(name, true, (tag, delivery) -> {
            Map<String, Object> headers = delivery.getProperties().getHeaders();
            Object id = headers == null ? null : headers.get(ID_HEADER);
            if (id != null) {
                onReceipt.accept(id.toString()); // a LongString on the wire
            }
        }, tag -> { });
    }

    @Override
    public URI uri() {
        return URI.create("amqp://127.0.0.1:5672/" + name + "?routingKey=" + ROUTING_KEY);
    }

    @Override
    public String rawPublishIs() {
        return "persistent publish with a publisher confirm, amqp-client (the RabbitMQ connector)";
    }

    @Override
    public void close() throws Exception {
        try {
            channel.queueDelete(name);
            channel.exchangeDelete(name);
        } finally {
            connection.close(5000);
        }
    }
}
