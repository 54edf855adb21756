package dev.pactum.connectors.http;

import dev.pactum.api.Outcome;
import dev.pactum.client.JettyClients;
import dev.pactum.connectors.DestinationConnector;
import dev.pactum.connectors.ConnectorTimeouts;
import dev.pactum.connectors.Delivery;
import dev.pactum.connectors.Message;
import org.eclipse.jetty.client.BytesRequestContent;
import org.eclipse.jetty.client.ContentResponse;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.http.HttpMethod;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Delivers a message to an HTTP endpoint: {@code POST} of the payload to the destination URL, with the message id
 * as {@code Pactum-Gid} and {@code Pactum-Branch-Id}, the key as {@value Message#KEY_HEADER}, {@code traceparent}
 * and the message's own headers. The answer maps as every branch call's does ({@link Outcome#fromHttpStatus}):
 * 200 delivered (exactly 200, as for branch calls), 409 refused, anything else (425, 503, 500, 204, a redirect, no
 * answer in time) try later.
 *
 * <p>Uses {@link JettyClients}, the same client the SDK and the coordinator use, so all three behave alike. The
 * content type is the message's {@code Content-Type} header, or {@code application/octet-stream}.
 */
public final class HttpConnector extends DestinationConnector<URI> {
    /** Characters of the response body kept in a delivery's detail. */
    static final int DETAIL_BODY_CHARS = 200;

    private final HttpClient client;
    private final boolean ownsClient;
    private final ConnectorTimeouts timeouts;

    /** A connector with a client of its own, stopped by {@link #close()}. */
    public HttpConnector(ConnectorTimeouts timeouts) {
        this(JettyClients.start("pactum-http-connector", timeouts.connect()), true, timeouts);
    }

    /** A connector over a client the caller started and will stop; {@code timeouts.connect()} is then the client's. */
    public HttpConnector(HttpClient client, ConnectorTimeouts timeouts) {
        this(client, false, timeouts);
    }

    private HttpConnector(HttpClient client, boolean ownsClient, ConnectorTimeouts timeouts) {
        super("http", Set.of("http", "https"), HttpConnector::parse);
        this.client = Objects.requireNonNull(client, "client");
        this.ownsClient = ownsClient;
        this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
    }

    /** The URL as it is, once it is an http or https URL with a host and no fragment. */
    static URI parse(URI d) {
        String scheme = d.getScheme() == null ? "" : d.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("http connector serves http and https, not '" + d.getScheme() + "'");
        }
        if (d.getHost() == null || d.isOpaque()) {
            throw new IllegalArgumentException("HTTP destination needs a host, like http://host:8080/path, was " + d);
        }
        if (d.getRawFragment() != null) {
            throw new IllegalArgumentException("HTTP destination must not have a fragment: " + d);
        }
        return d;
    }

    @Override
    protected Delivery deliverTo(URI target, Message message) {
        String contentType = "application/octet-stream";
        Request request = client.newRequest(target).method(HttpMethod.POST)
                .timeout(timeouts.deliveryMillis(), TimeUnit.MILLISECONDS);
        for (Map.Entry<String, String> h : message.transportHeaders().entrySet()) {
            if (h.getKey().equalsIgnoreCase("Content-Type")) {
                contentType = h.getValue();
            } else {
                request.headers(headers -> headers.add(h.getKey(), h.getValue()));
            }
        }
        request.body(new BytesRequestContent(contentType, message.payload()));
        ContentResponse response;
        try {
            response = request.send();
        } catch (TimeoutException e) {
            return Delivery.tryLater("no answer from " + target + " within " + timeouts.delivery().toMillis() + " ms");
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return Delivery.tryLater("POST " + target + " failed: " + cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Delivery.tryLater("interrupted while delivering to " + target);
        }
        int status = response.getStatus();
        String detail = "HTTP " + status + " from " + target + bodyExcerpt(response);
        return switch (Outcome.fromHttpStatus(status)) {
            case SUCCESS -> Delivery.delivered(detail);
            case FAILURE -> Delivery.refused(detail);
            case ONGOING -> Delivery.tryLater(detail);
        };
    }

    private static String bodyExcerpt(ContentResponse response) {
        byte[] body = response.getContent();
        if (body == null || body.length == 0) {
            return "";
        }
        String text = new String(body, 0, Math.min(body.length, DETAIL_BODY_CHARS * 4), StandardCharsets.UTF_8).strip();
        return ": " + (text.length() <= DETAIL_BODY_CHARS ? text : text.substring(0, DETAIL_BODY_CHARS) + "...");
    }

    @Override
    protected void release() {
        if (ownsClient) {
            try {
                client.stop();
            } catch (Exception e) {
                throw new IllegalStateException("cannot stop the HTTP connector's client", e);
            }
        }
    }

    @Override
    public String toString() {
        return "http connector (" + timeouts + ")";
    }
}
