package dev.pactum.connectors.nats;

import dev.pactum.api.MessageId;
import dev.pactum.connectors.ConnectorTimeouts;
import dev.pactum.connectors.Delivery;
import dev.pactum.connectors.Message;
import dev.pactum.connectors.TestStream;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.MessageInfo;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The NATS connector against the machine's NATS with JetStream (127.0.0.1:4222), on streams of its own; the restart
 * test runs a NATS server of its own (the machine's {@code nats-server} binary) on another port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NatsConnectorTest {
    static final String SERVER = "127.0.0.1:4222";
    static final Path NATS_SERVER = Path.of("/usr/sbin/nats-server");
    final String prefix = "pactum-it-" + UUID.randomUUID().toString().substring(0, 8);
    final List<String> streams = new ArrayList<>();
    Connection admin;
    JetStreamManagement jsm;
    NatsConnector connector;

    @BeforeAll
    void connect() throws Exception {
        admin = Nats.connect(Options.builder().server("nats://" + SERVER).connectionTimeout(Duration.ofSeconds(5)).build());
        jsm = admin.jetStreamManagement();
        connector = new NatsConnector(new ConnectorTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(10)));
    }

    @AfterAll
    void cleanUp() throws Exception {
        if (connector != null) {
            connector.close();
        }
        if (admin != null) {
            for (String s : streams) {
                jsm.deleteStream(s);
            }
            admin.close();
        }
    }

    /** A stream of its own covering {@code <subjectRoot>.>}; returns the subject root. */
    private String stream(JetStreamManagement on, StorageType storage) throws IOException, JetStreamApiException {
        String name = prefix + "-" + streams.size();
        on.addStream(StreamConfiguration.builder().name(name).subjects(name + ".>").storageType(storage).build());
        if (on == jsm) {
            streams.add(name);
        }
        return name;
    }

    @Test
    void everyMessageIsStoredAndEachKeyKeepsItsOrder() throws Exception {
        String stream = stream(jsm, StorageType.Memory);
        TestStream ts = new TestStream(URI.create("nats://" + SERVER + "/" + stream + ".orders"), 5);
        int n = 100;
        TestStream.assertAll(ts.deliver(connector, 0, n), Delivery.Status.DELIVERED);

        List<MessageInfo> stored = readAll(jsm, stream);
        List<TestStream.Received> received = stored.stream().map(NatsConnectorTest::received).toList();
        ts.assertAllArrived(received, n);
        ts.assertPerKeyOrder(received);
        MessageInfo first = stored.get(0);
        assertThat(first.getHeaders().getFirst("Nats-Msg-Id")).isEqualTo(ts.gid + "/" + first.getHeaders().getFirst("Pactum-Branch-Id"));
        assertThat(first.getHeaders().getFirst("traceparent")).isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    }

    @Test
    void aRedeliveredMessageIsStoredOnceThanksToNatsMsgId() throws Exception {
        String stream = stream(jsm, StorageType.Memory);
        Message m = message(URI.create("nats://" + SERVER + "/" + stream + ".once"));
        Delivery first = connector.deliver(m);
        Delivery again = connector.deliver(m);

        assertThat(first.status()).as("%s", first).isEqualTo(Delivery.Status.DELIVERED);
        assertThat(again.status()).as("%s", again).isEqualTo(Delivery.Status.DELIVERED);
        assertThat(again.detail()).contains("duplicate");
        assertThat(jsm.getStreamInfo(stream).getStreamState().getMsgCount()).isEqualTo(1);
    }

    @Test
    void aSubjectNoStreamCoversIsTryLaterNotAnException() {
        Delivery d = connector.deliver(message(URI.create("nats://" + SERVER + "/" + prefix + ".nostream")));
        assertThat(d.status()).as("%s", d).isEqualTo(Delivery.Status.TRY_LATER);
    }

    @Test
    void anUnreachableServerIsTryLaterNotAnException() throws Exception {
        try (NatsConnector quick = new NatsConnector(new ConnectorTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1)))) {
            Delivery d = quick.deliver(message(URI.create("nats://127.0.0.1:" + freePort() + "/x")));
            assertThat(d.status()).as("%s", d).isEqualTo(Delivery.Status.TRY_LATER);
        }
    }

    @Test
    void aServerRestartMidStreamLosesNothingThatWasDelivered() throws Exception {
        assertThat(NATS_SERVER).as("the machine's nats-server").isExecutable();
        Path store = Files.createTempDirectory("pactum-nats-");
        int port = freePort();
        Process server = startServer(port, store);
        try (NatsConnector quick = new NatsConnector(new ConnectorTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2)));
             Connection own = Nats.connect(Options.builder().server("nats://127.0.0.1:" + port).maxReconnects(-1)
                     .connectionTimeout(Duration.ofSeconds(5)).build())) {
            JetStreamManagement ownJsm = own.jetStreamManagement();
            String stream = stream(ownJsm, StorageType.File);
            TestStream ts = new TestStream(URI.create("nats://127.0.0.1:" + port + "/" + stream + ".orders"), 3);
            TestStream.assertAll(ts.deliver(quick, 0, 20), Delivery.Status.DELIVERED);

            server.destroyForcibly();
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
            Delivery during = quick.deliver(ts.message(20));
            assertThat(during.status()).as("%s", during).isEqualTo(Delivery.Status.TRY_LATER);

            server = startServer(port, store);
            // As a delivery worker would: retry each message until delivered (bounded), in order per key.
            for (int i = 20; i < 40; i++) {
                Delivery d = null;
                for (int attempt = 0; attempt < 20 && (d == null || !d.isDelivered()); attempt++) {
                    d = quick.deliver(ts.message(i));
                }
                assertThat(d.status()).as("message %d: %s", i, d).isEqualTo(Delivery.Status.DELIVERED);
            }
            List<TestStream.Received> received = readAll(ownJsm, stream).stream().map(NatsConnectorTest::received).toList();
            ts.assertAllArrived(received, 40);
            ts.assertPerKeyOrder(received);
        } finally {
            server.destroyForcibly();
            server.waitFor(30, TimeUnit.SECONDS);
            try (var paths = Files.walk(store)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static Process startServer(int port, Path store) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(NATS_SERVER.toString(), "-a", "127.0.0.1", "-p", Integer.toString(port), "-js",
                "-sd", store.toString()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(store.resolve("server.log").toFile())).start();
        Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly)); // never outlive the test JVM
        Instant deadline = Instant.now().plusSeconds(30);
        while (Instant.now().isBefore(deadline)) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return p;
            } catch (IOException notYet) {
                if (!p.isAlive()) {
                    throw new IllegalStateException("nats-server exited with " + p.exitValue() + ", see " + store);
                }
                Thread.sleep(50);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("nats-server did not listen on " + port + " within 30 s");
    }

    private static List<MessageInfo> readAll(JetStreamManagement on, String stream) throws Exception {
        long last = on.getStreamInfo(stream).getStreamState().getLastSequence();
        List<MessageInfo> out = new ArrayList<>();
        for (long seq = 1; seq <= last; seq++) {
            out.add(on.getMessage(stream, seq));
        }
        return out;
    }

    private static Message message(URI destination) {
        return Message.builder(new MessageId("g-" + UUID.randomUUID(), "b1"), destination).key("k")
                .payload("x".getBytes(StandardCharsets.UTF_8)).build();
    }

    private static TestStream.Received received(MessageInfo m) {
        return new TestStream.Received(m.getHeaders().getFirst("Pactum-Gid"), m.getHeaders().getFirst("Pactum-Branch-Id"),
                m.getHeaders().getFirst(Message.KEY_HEADER), new String(m.getData(), StandardCharsets.UTF_8));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
