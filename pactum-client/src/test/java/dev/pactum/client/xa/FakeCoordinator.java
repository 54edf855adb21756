package dev.pactum.client.xa;

import com.sun.net.httpserver.HttpServer;
import dev.pactum.client.PactumClient;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A test double of the coordinator's query API: answers {@code GET /api/v1/transactions/{gid}} with a
 * TransactionView whose status the test chose, 404 {@code unknown_transaction} for a gid it was not told about, or
 * 503 while "down". Nothing else.
 */
final class FakeCoordinator implements AutoCloseable {
    private static final String PREFIX = "/api/v1/transactions/";

    private final HttpServer server;
    private final Map<String, String> statuses = new ConcurrentHashMap<>();
    private final AtomicInteger queries = new AtomicInteger();
    private volatile boolean down;
    final PactumClient client;

    FakeCoordinator() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            queries.incrementAndGet();
            String path = exchange.getRequestURI().getPath();
            int status;
            String body;
            if (down) {
                status = 503;
                body = "{\"error\":\"unavailable\",\"message\":\"down for the test\"}";
            } else if (!exchange.getRequestMethod().equals("GET") || !path.startsWith(PREFIX)
                    || path.length() == PREFIX.length()) {
                status = 400;
                body = "{\"error\":\"invalid_input\",\"message\":\"unexpected " + path + "\"}";
            } else {
                String gid = path.substring(PREFIX.length());
                String s = statuses.get(gid);
                if (s == null) {
                    status = 404;
                    body = "{\"error\":\"unknown_transaction\",\"message\":\"no transaction " + gid + "\",\"gid\":\"" + gid + "\"}";
                } else {
                    status = 200;
                    body = "{\"gid\":\"" + gid + "\",\"status\":\"" + s + "\",\"branches\":[]}";
                }
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

    /** From now on the coordinator reports {@code gid} in {@code status} (a GlobalStatus name). */
    void status(String gid, String status) {
        statuses.put(gid, status);
    }

    /** From now on the coordinator does not know {@code gid}. */
    void forget(String gid) {
        statuses.remove(gid);
    }

    void down(boolean down) {
        this.down = down;
    }

    int queries() {
        return queries.get();
    }

    @Override
    public void close() {
        client.close();
        server.stop(0);
    }
}
