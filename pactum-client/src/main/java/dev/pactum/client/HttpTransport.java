package dev.pactum.client;

import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.transport.HttpClientTransportOverHTTP;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.ClientConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The SDK's HTTP/1.1 client: Jetty's, with keep-alive connections pooled per destination.
 *
 * <p>Why not the JDK's {@code HttpClient}: measured here under 32 concurrent transactions, one exchange through
 * the JDK client cost several times the CPU and latency of Jetty's (one selector thread serialising every
 * exchange), and it showed occasional "header parser received no bytes" errors on reused connections.
 * docs/benchmarks.md has the figures.
 */
final class HttpTransport implements AutoCloseable {
    /** A status and a body; transport failures are thrown as {@link IOException} instead. */
    record Answer(int status, byte[] body) {
        String text() {
            return new String(body, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    private final HttpClient client;
    private final Duration timeout;

    HttpTransport(Duration timeout) {
        this.timeout = timeout;
        ClientConnector connector = new ClientConnector();
        connector.setSelectors(1);
        connector.setConnectTimeout(timeout);
        client = new HttpClient(new HttpClientTransportOverHTTP(connector));
        QueuedThreadPool pool = new QueuedThreadPool(32, 4);
        pool.setName("pactum-client");
        pool.setDaemon(true);
        pool.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        client.setExecutor(pool);
        client.setMaxConnectionsPerDestination(256);
        client.setFollowRedirects(false);
        client.setUserAgentField(null);
        try {
            client.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the Pactum HTTP client", e);
        }
    }

    Answer get(String url) throws IOException, InterruptedException {
        return send(client.newRequest(url).method(HttpMethod.GET));
    }

    Answer post(String url, Map<String, String> headers, byte[] json) throws IOException, InterruptedException {
        Request r = client.newRequest(url).method(HttpMethod.POST)
                .body(new BytesRequestContent("application/json", json));
        if (!headers.isEmpty()) {
            r.headers(h -> headers.forEach(h::put));
        }
        return send(r);
    }

    private Answer send(Request r) throws IOException, InterruptedException {
        try {
            ContentResponse resp = r.timeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .headers(h -> h.put("Accept", "application/json")).send();
            return new Answer(resp.getStatus(), resp.getContent());
        } catch (TimeoutException e) {
            throw new IOException("no answer within " + timeout.toMillis() + " ms", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause() == null ? e : e.getCause();
            throw c instanceof IOException io ? io : new IOException(c.toString(), c);
        } catch (IllegalArgumentException e) {
            throw new IOException("bad URL: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            client.stop();
        } catch (Exception e) {
            // nothing in flight at close in practice; nothing useful to do otherwise
        }
    }
}
