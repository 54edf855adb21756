package dev.pactum.client;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * The one way Pactum builds an HTTP/1.1 client: Jetty's, with one selector, keep-alive connections pooled per
 * destination (up to 256), callers on virtual threads, no redirects, no compression asked for. Used by the SDK, by
 * the coordinator for its phase-2 calls, and by the benchmark's baseline, so all three measure and behave alike.
 */
public final class JettyClients {
    private JettyClients() {
    }

    /** A started client; stop it when done. */
    public static HttpClient start(String name, Duration connectTimeout) {
        ClientConnector connector = new ClientConnector();
        connector.setSelectors(1);
        connector.setConnectTimeout(connectTimeout);
        HttpClient client = new HttpClient(new HttpClientTransportOverHTTP(connector));
        QueuedThreadPool pool = new QueuedThreadPool(32, 4);
        pool.setName(name);
        pool.setDaemon(true);
        pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        client.setExecutor(pool);
        client.setMaxConnectionsPerDestination(256);
        client.setFollowRedirects(false);
        client.setUserAgentField(null);
        // No "Accept-Encoding: gzip" on every request: the answers are a few bytes, and it is one header less to
        // write and parse on both sides of every call.
        client.getContentDecoderFactories().clear();
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the HTTP client " + name, e);
        }
        return client;
    }
}
