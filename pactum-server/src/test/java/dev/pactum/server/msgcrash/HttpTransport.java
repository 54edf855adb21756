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
final class HttpTransport implements Transport {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8);
    private final TcpProxy proxy;

    HttpTransport(ConsumerLedger ledger) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
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
        proxy = new TcpProxy("127.0.0.1", server.getAddress().getPort());
    }

    @Override
    public String destination() {
        return "http://127.0.0.1:" + proxy.port() + "/deliver";
    }

    @Override
    public void breakBroker() throws IOException {
        proxy.cut();
    }

    @Override
    public void repairBroker() throws IOException {
        proxy.restore();
    }

    @Override
    public String outage() {
        return "the consumer's endpoint cut off by a TCP proxy";
    }

    @Override
    public void close() throws IOException {
        proxy.close();
        server.stop(0);
        executor.shutdownNow();
    }
}
