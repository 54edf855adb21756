package dev.pactum.client;

import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.Invocable;
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
        return start(name, connectTimeout, Invocable.InvocationType.BLOCKING);
    }

    /**
     * A started client whose responses are read and handed to their listeners on the thread that {@code responses}
     * allows: {@code BLOCKING} (Jetty's default) dispatches each read from the selector to the pool, so listeners may
     * block; {@code NON_BLOCKING} reads, parses and runs the listeners on the selector thread itself, one thread
     * hand-off less per response, for callers whose listeners only complete a future and never block.
     */
    public static HttpClient start(String name, Duration connectTimeout, Invocable.InvocationType responses) {
        ClientConnector connector = new ClientConnector();
        connector.setSelectors(1);
        connector.setConnectTimeout(connectTimeout);
        HttpClientTransportOverHTTP transport = new HttpClientTransportOverHTTP(connector);
        transport.setInvocationType(responses);
        HttpClient client = new HttpClient(transport);
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
