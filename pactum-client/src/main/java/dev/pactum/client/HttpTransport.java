package dev.pactum.client;

import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpMethod;

import dev.pactum.api.Headers;
import dev.pactum.api.Outcome;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
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
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final HttpClient client;
    private final Duration timeout;

    HttpTransport(Duration timeout) {
        this.timeout = timeout;
        client = JettyClients.start("pactum-client", timeout);
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

    /**
     * A business call of a branch (a TCC Try, an XA branch's work): POSTs {@code jsonBody} with the branch headers
     * ({@code op} may be null when the call is not one of the protocol's operations). Returns the answer's body on
     * 200; throws {@link TryFailedException} on a refusal (409) or an unknown outcome.
     */
    String callBranch(String gid, String branchId, dev.pactum.api.BranchOp op, String url, String jsonBody) {
        Map<String, String> headers = op == null ? Map.of(Headers.GID, gid, Headers.BRANCH_ID, branchId)
                : Map.of(Headers.GID, gid, Headers.BRANCH_ID, branchId, Headers.OP, op.wire());
        Answer resp;
        try {
            resp = post(url, headers, (jsonBody == null ? "{}" : jsonBody).getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new TryFailedException(gid, branchId, Outcome.ONGOING, 0, "no answer from " + url + ": " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TryFailedException(gid, branchId, Outcome.ONGOING, 0, "interrupted");
        }
        Outcome o = Outcome.fromHttpStatus(resp.status());
        if (o != Outcome.SUCCESS) {
            throw new TryFailedException(gid, branchId, o, resp.status(), resp.text());
        }
        return resp.text();
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
