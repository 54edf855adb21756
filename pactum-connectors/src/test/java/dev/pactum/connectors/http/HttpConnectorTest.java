package dev.pactum.connectors.http;

import dev.pactum.api.MessageId;
import dev.pactum.connectors.ConnectorTimeouts;
import dev.pactum.connectors.Delivery;
import dev.pactum.connectors.Message;
import dev.pactum.connectors.TestStream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The HTTP connector against a real Jetty server on loopback whose paths answer with the status they are named after. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpConnectorTest {
    /** One request as the server saw it. */
    record Seen(String path, String method, Map<String, String> headers, String body) {
    }

    final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    final CountDownLatch releaseSlow = new CountDownLatch(1);
    Server server;
    String base;
    HttpConnector connector;

    @BeforeAll
    void start() throws Exception {
        server = new Server();
        ServerConnector c = new ServerConnector(server);
        c.setHost("127.0.0.1");
        c.setPort(0);
        server.addConnector(c);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                String path = Request.getPathInContext(request);
                Map<String, String> headers = new java.util.LinkedHashMap<>();
                request.getHeaders().forEach(f -> headers.put(f.getName(), f.getValue()));
                String body = Content.Source.asString(request, StandardCharsets.UTF_8);
                seen.add(new Seen(path, request.getMethod(), headers, body));
                if (path.equals("/slow")) {
                    releaseSlow.await(30, TimeUnit.SECONDS);
                }
                int status = path.startsWith("/status/") ? Integer.parseInt(path.substring(8)) : 200;
                response.setStatus(status);
                if (status == 302) {
                    response.getHeaders().put(HttpHeader.LOCATION, base + "/status/200");
                }
                Content.Sink.write(response, true, status == 204 ? "" : "answer " + status, callback);
                return true;
            }
        });
        server.start();
        base = "http://127.0.0.1:" + c.getLocalPort();
        connector = new HttpConnector(new ConnectorTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10)));
    }

    @AfterAll
    void stop() throws Exception {
        releaseSlow.countDown();
        if (connector != null) {
            connector.close();
        }
        if (server != null) {
            server.stop();
        }
    }

    @Test
    void everyMessageArrivesWithItsIdAndEachKeyKeepsItsOrder() throws Exception {
        TestStream stream = new TestStream(URI.create(base + "/orders"), 4);
        int n = 80;
        TestStream.assertAll(stream.deliver(connector, 0, n), Delivery.Status.DELIVERED);

        List<Seen> orders = seen.stream().filter(s -> s.path().equals("/orders")
                && stream.gid.equals(s.headers().get("Pactum-Gid"))).toList();
        List<TestStream.Received> received = orders.stream().map(s -> new TestStream.Received(
                s.headers().get("Pactum-Gid"), s.headers().get("Pactum-Branch-Id"),
                s.headers().get(Message.KEY_HEADER), s.body())).toList();
        stream.assertAllArrived(received, n);
        stream.assertPerKeyOrder(received);
        Seen first = orders.get(0);
        assertThat(first.method()).isEqualTo("POST");
        assertThat(first.headers()).containsEntry("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .containsEntry("X-Test", "yes");
        assertThat(first.headers().get("Content-Type")).startsWith("text/plain");
    }

    @ParameterizedTest(name = "HTTP {0} is {1}")
    @CsvSource({"200, DELIVERED", "204, TRY_LATER", "409, REFUSED", "425, TRY_LATER", "503, TRY_LATER",
            "500, TRY_LATER", "404, TRY_LATER", "302, TRY_LATER"})
    void theAnswerMapsAsDesignMdSays(int status, Delivery.Status expected) {
        Delivery d = connector.deliver(message(URI.create(base + "/status/" + status)));
        assertThat(d.status()).as("%s", d).isEqualTo(expected);
        assertThat(d.detail()).contains("HTTP " + status);
    }

    @Test
    void anEndpointThatDoesNotAnswerInTimeIsTryLater() {
        try (HttpConnector quick = new HttpConnector(new ConnectorTimeouts(Duration.ofSeconds(1), Duration.ofMillis(300)))) {
            Delivery d = quick.deliver(message(URI.create(base + "/slow")));
            assertThat(d.status()).as("%s", d).isEqualTo(Delivery.Status.TRY_LATER);
            assertThat(d.detail()).contains("no answer");
        }
    }

    @Test
    void anUnreachableEndpointIsTryLaterNotAnException() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Delivery d = connector.deliver(message(URI.create("http://127.0.0.1:" + port + "/x")));
        assertThat(d.status()).as("%s", d).isEqualTo(Delivery.Status.TRY_LATER);
    }

    private static Message message(URI destination) {
        return Message.builder(new MessageId("g-" + UUID.randomUUID(), "b1"), destination)
                .payload("{}".getBytes(StandardCharsets.UTF_8)).build();
    }
}
