package dev.pactum.connectors.amqp;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.pactum.api.MessageId;
import dev.pactum.connectors.ConnectorTimeouts;
import dev.pactum.connectors.Delivery;
import dev.pactum.connectors.Message;
import dev.pactum.connectors.TestStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The RabbitMQ connector against the machine's RabbitMQ (127.0.0.1:5672, guest/guest), on exchanges and queues of its own. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RabbitConnectorTest {
    static final String HOST = "127.0.0.1:5672";
    final String prefix = "pactum-it-" + UUID.randomUUID().toString().substring(0, 8);
    final List<String> exchanges = new ArrayList<>();
    final List<String> queues = new ArrayList<>();
    Connection admin;
    Channel channel;
    RabbitConnector connector;

    @BeforeAll
    void connect() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        f.setPort(5672);
        f.setConnectionTimeout(5000);
        admin = f.newConnection("pactum-test");
        channel = admin.createChannel();
        connector = new RabbitConnector(RabbitConnectorConfig.defaults(
                new ConnectorTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10))));
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (connector != null) {
            connector.close();
        }
        if (channel != null) {
            for (String q : queues) {
                channel.queueDelete(q);
            }
            for (String e : exchanges) {
                channel.exchangeDelete(e);
            }
            admin.close();
        }
    }

    /** A direct exchange with one queue bound to it by each of {@code keys}. */
    private String[] exchangeWithQueue(String... keys) throws Exception {
        String name = prefix + "-" + exchanges.size();
        channel.exchangeDeclare(name, "direct", false, true, null);
        exchanges.add(name);
        channel.queueDeclare(name, false, false, true, null);
        queues.add(name);
        for (String k : keys) {
            channel.queueBind(name, name, k);
        }
        return new String[] {name, name};
    }

    @Test
    void everyMessageArrivesConfirmedAndEachKeyKeepsItsOrder() throws Exception {
        String[] eq = exchangeWithQueue("orders");
        TestStream stream = new TestStream(URI.create("amqp://" + HOST + "/" + eq[0] + "?routingKey=orders"), 5);
        int n = 100;
        TestStream.assertAll(stream.deliver(connector, 0, n), Delivery.Status.DELIVERED);

        List<GetResponse> got = drain(eq[1], n);
        List<TestStream.Received> received = got.stream().map(RabbitConnectorTest::received).toList();
        stream.assertAllArrived(received, n);
        stream.assertPerKeyOrder(received);

        GetResponse first = got.get(0);
        assertThat(first.getProps().getMessageId()).isEqualTo(stream.gid + "/" + headerOf(first, "Pactum-Branch-Id"));
        assertThat(first.getProps().getDeliveryMode()).isEqualTo(2);
        assertThat(first.getProps().getContentType()).isEqualTo("text/plain");
        assertThat(headerOf(first, "traceparent")).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        assertThat(headerOf(first, "X-Test")).isEqualTo("yes");
    }

    @Test
    void withoutARoutingKeyTheMessageKeyRoutesAndAnUnroutableMessageIsNotDelivered() throws Exception {
        String[] eq = exchangeWithQueue("k1");
        URI byKey = URI.create("amqp://" + HOST + "/" + eq[0]);
        Delivery routed = connector.deliver(message(byKey, "k1", "routed"));
        Delivery unroutable = connector.deliver(message(byKey, "k2", "nowhere"));

        assertThat(routed.status()).as("%s", routed).isEqualTo(Delivery.Status.DELIVERED);
        assertThat(unroutable.status()).as("%s", unroutable).isEqualTo(Delivery.Status.TRY_LATER);
        assertThat(unroutable.detail()).contains("unroutable").contains("NO_ROUTE");
        List<GetResponse> got = drain(eq[1], 1);
        assertThat(got).extracting(g -> new String(g.getBody(), StandardCharsets.UTF_8)).containsExactly("routed");
    }

    @Test
    void anExchangeThatDoesNotExistIsTryLaterAndTheConnectorGoesOnWorking() throws Exception {
        Delivery missing = connector.deliver(message(URI.create("amqp://" + HOST + "/" + prefix + "-missing"), "k", "x"));
        assertThat(missing.status()).as("%s", missing).isEqualTo(Delivery.Status.TRY_LATER);

        String[] eq = exchangeWithQueue("after");
        Delivery after = connector.deliver(message(URI.create("amqp://" + HOST + "/" + eq[0] + "?routingKey=after"),
                "k", "y"));
        assertThat(after.status()).as("%s", after).isEqualTo(Delivery.Status.DELIVERED);
    }

    @Test
    void anUnreachableBrokerIsTryLaterNotAnException() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (RabbitConnector quick = new RabbitConnector(RabbitConnectorConfig.defaults(
                new ConnectorTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1))))) {
            Delivery d = quick.deliver(message(URI.create("amqp://127.0.0.1:" + port + "/x"), "k", "x"));
            assertThat(d.status()).as("%s", d).isEqualTo(Delivery.Status.TRY_LATER);
        }
    }

    @Test
    void wrongCredentialsAreTryLaterNotAnException() {
        try (RabbitConnector wrong = new RabbitConnector(new RabbitConnectorConfig(
                new ConnectorTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)), "guest", "not-the-password", 1))) {
            Delivery d = wrong.deliver(message(URI.create("amqp://" + HOST + "/x"), "k", "x"));
            assertThat(d.status()).as("%s", d).isEqualTo(Delivery.Status.TRY_LATER);
        }
    }

    private static Message message(URI destination, String key, String payload) {
        return Message.builder(new MessageId("g-" + UUID.randomUUID(), "b1"), destination).key(key)
                .payload(payload.getBytes(StandardCharsets.UTF_8)).build();
    }

    /** Takes messages off {@code queue} until {@code n} or the bound; then checks nothing more is there. */
    private List<GetResponse> drain(String queue, int n) throws Exception {
        List<GetResponse> out = new ArrayList<>();
        Instant deadline = Instant.now().plusSeconds(30);
        while (out.size() < n && Instant.now().isBefore(deadline)) {
            GetResponse r = channel.basicGet(queue, true);
            if (r == null) {
                Thread.sleep(20);
            } else {
                out.add(r);
            }
        }
        return out;
    }

    private static String headerOf(GetResponse r, String name) {
        Object v = r.getProps().getHeaders().get(name);
        return v == null ? null : v.toString();
    }

    private static TestStream.Received received(GetResponse r) {
        return new TestStream.Received(headerOf(r, "Pactum-Gid"), headerOf(r, "Pactum-Branch-Id"),
                headerOf(r, Message.KEY_HEADER), new String(r.getBody(), StandardCharsets.UTF_8));
    }
}
