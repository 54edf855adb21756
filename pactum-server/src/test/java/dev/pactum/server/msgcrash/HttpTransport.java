package dev.pactum.server.msgcrash;

import com.sun.net.httpserver.HttpServer;
import dev.pactum.api.MessageId;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * An HTTP consumer: {@code POST /deliver} applies the message and answers 200 only after the inbox committed (503
 * otherwise, or for a duplicate on purpose, which the coordinator then delivers again). The coordinator reaches it
 * through a {@link TcpProxy}, the outage being a cut of that proxy.
 */
final class HttpTransport extends ProxiedTransport {
    private final HttpServer server;
    private final ExecutorService executor;

    HttpTransport(ConsumerLedger ledger) throws IOException {
        this(ledger, HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64));
    }

    private HttpTransport(ConsumerLedger ledger, HttpServer server) throws IOException {
        super(server.getAddress().getPort());
        this.server = server;
        this.executor = Executors.newFixedThreadPool(8);
        server.setExecutor(executor);
        server.createContext("/deliver", ex -> {
            String payload = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            int status;
            try {
                status = ledger.receive(MessageId.fromHeaders(ex.getRequestHeaders()::getFirst), payload) ? 200 : 503;
            } catch (RuntimeException e) {
                status = 400; // no message id: a broken delivery, not retried into success
            }
            ex.sendResponseHeaders(status, -1);
            ex.close();
        });
        server.start();
    }

    @Override
    public String destination() {
        return "http://127.0.0.1:" + proxy.port() + "/deliver";
    }

    @Override
    public String outage() {
        return "the consumer's endpoint cut off by a TCP proxy";
    }

    @Override
    protected void closeConsumer() {
        server.stop(0);
        executor.shutdownNow();
    }
}
