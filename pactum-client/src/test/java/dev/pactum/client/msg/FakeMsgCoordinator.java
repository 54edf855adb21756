package dev.pactum.client.msg;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.pactum.api.BeginRequest;
import dev.pactum.client.PactumClient;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test double of the coordinator's begin, submit and abort for MSG transactions, over real HTTP: makes gids
 * {@code msg-1, msg-2, ...}, records what it was asked, and answers submits with 503 while "submit lost".
 * It does not check back: the tests call {@link MessageProducer#check} as the check endpoint would.
 */
final class FakeMsgCoordinator implements AutoCloseable {
    private static final String PREFIX = "/api/v1/transactions";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final AtomicInteger gids = new AtomicInteger();
    final List<BeginRequest> begins = new CopyOnWriteArrayList<>();
    /** "submit gid [branches]" or "abort gid", in order. */
    final List<String> calls = new CopyOnWriteArrayList<>();
    volatile boolean submitLost;
    final PactumClient client;

    FakeMsgCoordinator() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] request = exchange.getRequestBody().readAllBytes();
            int status;
            String body;
            if (!exchange.getRequestMethod().equals("POST")) {
                status = 400;
                body = "{\"error\":\"invalid_input\",\"message\":\"unexpected " + path + "\"}";
            } else if (path.equals(PREFIX)) {
                begins.add(JSON.readValue(request, BeginRequest.class));
                status = 201;
                body = view("msg-" + gids.incrementAndGet(), "ACTIVE");
            } else if (path.endsWith("/submit") && submitLost) {
                status = 503;
                body = "{\"error\":\"unavailable\",\"message\":\"submit lost for the test\"}";
            } else if (path.endsWith("/submit") || path.endsWith("/abort")) {
                String rest = path.substring(PREFIX.length() + 1);
                String gid = rest.substring(0, rest.indexOf('/'));
                boolean submit = path.endsWith("/submit");
                calls.add((submit ? "submit " : "abort ") + gid
                        + (submit ? " " + JSON.readTree(request).get("tried") : ""));
                status = 200;
                body = view(gid, submit ? "COMMITTING" : "ABORTING");
            } else {
                status = 400;
                body = "{\"error\":\"invalid_input\",\"message\":\"unexpected " + path + "\"}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        client = PactumClient.connect(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                Duration.ofSeconds(5));
    }

    private static String view(String gid, String status) {
        return "{\"gid\":\"" + gid + "\",\"pattern\":\"MSG\",\"status\":\"" + status + "\",\"branches\":[]}";
    }

    @Override
    public void close() {
        client.close();
        server.stop(0);
    }
}
