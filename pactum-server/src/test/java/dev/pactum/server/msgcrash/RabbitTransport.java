package dev.pactum.server.msgcrash;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.pactum.api.MessageId;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeoutException;

/**
 * The machine's RabbitMQ: an exchange and a queue of this run's own (deleted at the end), a consumer with manual
 * acknowledgement that acks after the inbox committed and otherwise nacks with requeue (a duplicate on purpose is
 * nacked after its commit, so RabbitMQ redelivers it). The broker is shared with other helpers, so it is never
 * restarted: the coordinator reaches it through a {@link TcpProxy}, and the outage is a cut of that proxy (the
 * connector's connection dies, publishes fail until it reconnects). The consumer talks to the broker directly.
 */
final class RabbitTransport extends ProxiedTransport {
    private final String name = "msgcrash-" + Long.toHexString(System.nanoTime());
    private final Connection connection;
    private final Channel channel;

    RabbitTransport(ConsumerLedger ledger) throws IOException, TimeoutException {
        super(5672);
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(5672);
        f.setConnectionTimeout(5000);
        connection = f.newConnection("msg-crash-consumer");
        channel = connection.createChannel();
        channel.exchangeDeclare(name, "direct", false, false, null);
        channel.queueDeclare(name, false, false, false, null);
        channel.queueBind(name, name, name);
        channel.basicQos(32);
        channel.basicConsume(name, false, (tag, d) -> {
            String payload = new String(d.getBody(), StandardCharsets.UTF_8);
            boolean ack;
            try {
                ack = ledger.receive(MessageId.parse(d.getProperties().getMessageId()), payload);
            } catch (RuntimeException e) {
                ack = false;
            }
            long t = d.getEnvelope().getDeliveryTag();
            if (ack) {
                channel.basicAck(t, false);
            } else {
                channel.basicNack(t, false, true);
            }
        }, tag -> { });
    }

    @Override
    public String destination() {
        return "amqp://127.0.0.1:" + proxy.port() + "/" + name + "?routingKey=" + name;
    }

    @Override
    public String outage() {
        return "RabbitMQ cut off from the coordinator by a TCP proxy (the machine's broker is shared: not restarted)";
    }

    @Override
    protected void closeConsumer() throws IOException, TimeoutException {
        try {
            channel.queueDelete(name);
            channel.exchangeDelete(name);
        } finally {
            connection.close();
        }
    }
}
