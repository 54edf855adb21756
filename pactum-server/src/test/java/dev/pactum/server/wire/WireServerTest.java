package dev.pactum.server.wire;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pactum.api.BeginRequest;
import dev.pactum.api.PactumException;
import dev.pactum.api.TxPattern;
import dev.pactum.client.PactumClient;
import dev.pactum.client.wire.WireClient;
import dev.pactum.client.wire.WireFormat;
import dev.pactum.core.CoordinatorConfig;
import dev.pactum.server.Coordinator;
import dev.pactum.server.Json;
import dev.pactum.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The wire protocol's server against real sockets: refusals, limits, answers that mean what HTTP's mean. */
class WireServerTest {
    @TempDir
    static Path dir;
    static Coordinator coordinator;
    static int wirePort;

    @BeforeAll
    static void start() throws Exception {
        ServerConfig config = new ServerConfig("127.0.0.1", 0, dir, null, null, null, 4096, Duration.ofSeconds(1),
                CoordinatorConfig.builder().nodeId("wire-test").build(), 0);
        coordinator = Coordinator.start(config, Clock.systemUTC());
        wirePort = coordinator.wirePort();
    }

    @AfterAll
    static void stop() {
        coordinator.close();
    }

    @Test
    void anHttpRequestToTheWirePortIsAnsweredWithAnHttp400ThatSaysWhatThePortIs() throws IOException {
        try (Socket s = socket()) {
            s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8); // ends: closed
            assertThat(answer).startsWith("HTTP/1.1 400 ").contains("wrong_protocol").contains("wire protocol")
                    .contains("HTTP port");
        }
    }

    @Test
    void aPeerOfAnotherVersionGetsTheServersHelloAndTheClose() throws IOException {
        try (Socket s = socket()) {
            byte[] hello = WireFormat.hello();
            hello[hello.length - 1] = 2;
            s.getOutputStream().write(hello);
            byte[] back = s.getInputStream().readAllBytes();
            assertThat(WireFormat.versionOf(back)).isEqualTo(WireFormat.VERSION);
        }
    }

    @Test
    void theSdkSaysSoWhenItReachesTheHttpPortInsteadOfTheWirePort() {
        try (PactumClient c = PactumClient.connect(URI.create("pactum://127.0.0.1:" + coordinator.port()),
                Duration.ofSeconds(5))) {
            assertThatThrownBy(() -> c.get("any")).isInstanceOf(PactumException.class)
                    .satisfies(e -> assertThat(((PactumException) e).code()).isEqualTo("unreachable"))
                    .hasMessageContaining("did not answer the wire protocol's hello");
        }
    }

    @Test
    void aMalformedFrameIsAnsweredUnderItsIdAndTheConnectionGoesOn() throws IOException {
        try (Socket s = greeted()) {
            byte[] bad = WireFormat.request(41, "GET", "/health", false, null);
            bad[8] = 7; // no such method
            s.getOutputStream().write(bad);
            s.getOutputStream().write(WireFormat.request(42, "GET", "/health", false, null));
            DataInputStream in = new DataInputStream(s.getInputStream());
            WireFormat.Answer first = read(in);
            WireFormat.Answer second = read(in);
            WireFormat.Answer refused = first.id() == 41 ? first : second;
            WireFormat.Answer health = first.id() == 42 ? first : second;
            assertThat(refused.status()).isEqualTo(400);
            assertThat(json(refused).get("error").asText()).isEqualTo("bad_frame");
            assertThat(json(refused).get("message").asText()).contains("unknown method code 7");
            assertThat(health.status()).isEqualTo(200);
            assertThat(json(health).get("status").asText()).isEqualTo("UP");
        }
    }

    @Test
    void aFrameOverTheBodyLimitGets413UnderItsIdThenTheClose() throws IOException {
        try (Socket s = greeted()) {
            byte[] big = WireFormat.request(5, "POST", "/api/v1/transactions", false, new byte[20_000]);
            s.getOutputStream().write(big, 0, 64); // the header is enough to refuse it
            DataInputStream in = new DataInputStream(s.getInputStream());
            WireFormat.Answer a = read(in);
            assertThat(a.id()).isEqualTo(5);
            assertThat(a.status()).isEqualTo(413);
            assertThat(json(a).get("error").asText()).isEqualTo("too_large");
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void aLengthThatCannotBeAFrameGetsAConnectionLevelAnswerThenTheClose() throws IOException {
        try (Socket s = greeted()) {
            s.getOutputStream().write(new byte[]{0, 0, 0, 3, 0, 0, 0, 9});
            DataInputStream in = new DataInputStream(s.getInputStream());
            WireFormat.Answer a = read(in);
            assertThat(a.id()).isZero();
            assertThat(a.status()).isEqualTo(400);
            assertThat(json(a).get("message").asText()).contains("frame length 3");
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void theAnswersAreTheApisOwnWithTheAllowAndTheMinimalBody() throws Exception {
        try (WireClient c = new WireClient("127.0.0.1", wirePort, 1, Duration.ofSeconds(5))) {
            WireFormat.Answer notAllowed = c.exchange("POST", "/health", false, new byte[0]);
            assertThat(notAllowed.status()).isEqualTo(405);
            assertThat(notAllowed.allow()).isEqualTo("GET");
            WireFormat.Answer noRoute = c.exchange("GET", "/nowhere", false, null);
            assertThat(noRoute.status()).isEqualTo(404);
            assertThat(json(noRoute).get("error").asText()).isEqualTo("no_route");
            WireFormat.Answer badJson = c.exchange("POST", "/api/v1/transactions", false, "{".getBytes());
            assertThat(badJson.status()).isEqualTo(400);
            assertThat(json(badJson).get("error").asText()).isEqualTo("malformed_json");
            WireFormat.Answer begun = c.exchange("POST", "/api/v1/transactions", true,
                    "{\"pattern\":\"TCC\",\"timeoutMs\":60000}".getBytes());
            assertThat(begun.status()).isEqualTo(201);
            assertThat(begun.minimal()).isTrue();
            assertThat(json(begun).has("createdAt")).isFalse();
            WireFormat.Answer badQuery = c.exchange("GET", "/api/v1/transactions?limit=%zz", false, null);
            assertThat(badQuery.status()).isEqualTo(400);
            WireFormat.Answer metrics = c.exchange("GET", "/metrics", false, null);
            assertThat(metrics.text()).isTrue();
            assertThat(new String(metrics.body(), StandardCharsets.UTF_8)).contains("pactum_http_requests");
        }
    }

    @Test
    void refusedFramesChangeNothing() throws Exception {
        long seed = new Random().nextLong();
        Random rnd = new Random(seed);
        try (PactumClient sdk = PactumClient.connect(URI.create("http://127.0.0.1:" + coordinator.port()))) {
            int before = sdk.list(null, null, 1000).transactions().size();
            int created = 0;
            for (int i = 0; i < 200; i++) {
                byte[] f = WireFormat.request(1 + i, "POST", "/api/v1/transactions", false,
                        "{\"pattern\":\"TCC\",\"timeoutMs\":60000}".getBytes());
                for (int m = 1 + rnd.nextInt(3); m > 0; m--) {
                    f[8 + rnd.nextInt(f.length - 8)] = (byte) rnd.nextInt(256); // after length and id
                }
                try (Socket s = greeted()) {
                    s.getOutputStream().write(f);
                    s.shutdownOutput();
                    WireFormat.Answer a;
                    try {
                        a = read(new DataInputStream(s.getInputStream()));
                    } catch (EOFException closedUnanswered) {
                        // a length that now claims more bytes than were sent: never complete, never dispatched
                        continue;
                    }
                    if (a.status() >= 200 && a.status() < 300) {
                        created++; // a mutation that left a valid begin (white space, another valid timeout...)
                    } else {
                        assertThat(a.status()).as("seed %d frame %d", seed, i).isBetween(400, 499);
                    }
                }
            }
            assertThat(sdk.list(null, null, 1000).transactions()).as("seed %d", seed).hasSize(before + created);
        }
    }

    @Test
    void aClientThatShutsItsSendingSideStillGetsTheAnswerToWhatItSent() throws IOException {
        // Regression: the server closed on the half-close, so a begin took effect and its answer was lost.
        try (Socket s = greeted()) {
            s.getOutputStream().write(WireFormat.request(3, "POST", "/api/v1/transactions", true,
                    "{\"pattern\":\"TCC\",\"timeoutMs\":60000}".getBytes()));
            s.shutdownOutput();
            DataInputStream in = new DataInputStream(s.getInputStream());
            WireFormat.Answer a = read(in);
            assertThat(a.id()).isEqualTo(3);
            assertThat(a.status()).isEqualTo(201);
            assertThat(in.read()).isEqualTo(-1); // then the server closes
        }
    }

    @Test
    void aConnectionCutWhileTheRequestIsOutFailsItAsUnreachable() throws Exception {
        // A server that greets, takes the request, then closes the socket: a real close, mid-request.
        try (ServerSocket cutter = new ServerSocket(0)) {
            CountDownLatch gotRequest = new CountDownLatch(1);
            Thread t = Thread.ofVirtual().start(() -> {
                try (Socket s = cutter.accept()) {
                    s.getInputStream().readNBytes(WireFormat.HELLO_BYTES);
                    s.getOutputStream().write(WireFormat.hello());
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    in.readFully(new byte[in.readInt()]);
                    gotRequest.countDown();
                } catch (IOException e) {
                    // the test fails on its own assertions
                }
            });
            try (PactumClient c = PactumClient.connect(URI.create("pactum://127.0.0.1:" + cutter.getLocalPort()),
                    Duration.ofSeconds(20))) {
                long t0 = System.nanoTime();
                assertThatThrownBy(() -> c.begin(new BeginRequest(null, TxPattern.TCC, 1000L)))
                        .isInstanceOf(PactumException.class)
                        .satisfies(e -> assertThat(((PactumException) e).code()).isEqualTo("unreachable"))
                        .hasMessageContaining("lost before the answer");
                assertThat(gotRequest.await(5, TimeUnit.SECONDS)).isTrue();
                // failed by the close, not by the 20 s timeout (a bound, not a timing assertion on speed)
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
            }
            t.join(5000);
        }
    }

    @Test
    void afterTheCoordinatorClosedTheConnectionTheNextRequestReconnects() throws Exception {
        Path own = dir.resolve("reconnect");
        ServerConfig config = new ServerConfig("127.0.0.1", 0, own, null, null, null, 4096, Duration.ofSeconds(1),
                CoordinatorConfig.builder().nodeId("wire-reconnect").build(), 0);
        Coordinator first = Coordinator.start(config, Clock.systemUTC());
        int port = first.wirePort();
        try (PactumClient c = PactumClient.connect(URI.create("pactum://127.0.0.1:" + port), Duration.ofSeconds(5))) {
            String gid = c.begin(new BeginRequest(null, TxPattern.TCC, 60_000L)).gid();
            first.close();
            try (Coordinator second = Coordinator.start(config.withWirePort(port), Clock.systemUTC())) {
                PactumException last = null;
                // The first call may still find the old connection before its reader saw the close: unreachable.
                for (int i = 0; i < 3; i++) {
                    try {
                        assertThat(c.get(gid).gid()).isEqualTo(gid);
                        last = null;
                        break;
                    } catch (PactumException e) {
                        assertThat(e.code()).isEqualTo("unreachable");
                        last = e;
                    }
                }
                assertThat(last).isNull();
            }
        }
    }

    private static Socket socket() throws IOException {
        Socket s = new Socket("127.0.0.1", wirePort);
        s.setSoTimeout(10_000);
        return s;
    }

    private static Socket greeted() throws IOException {
        Socket s = socket();
        s.getOutputStream().write(WireFormat.hello());
        byte[] hello = s.getInputStream().readNBytes(WireFormat.HELLO_BYTES);
        assertThat(WireFormat.versionOf(hello)).isEqualTo(WireFormat.VERSION);
        return s;
    }

    private static WireFormat.Answer read(DataInputStream in) throws IOException {
        int length = in.readInt();
        byte[] frame = new byte[length];
        in.readFully(frame);
        return WireFormat.readAnswer(ByteBuffer.wrap(frame));
    }

    private static JsonNode json(WireFormat.Answer a) throws IOException {
        return Json.MAPPER.readTree(a.body());
    }

}
