package dev.pactum.client;

import java.io.IOException;
import java.util.Map;

/** The coordinator's API over HTTP/1.1, on the SDK's Jetty client. */
final class HttpCoordinatorTransport implements CoordinatorTransport {
    private static final Map<String, String> PREFER_MINIMAL = Map.of("Prefer", "return=minimal");

    private final String base;
    private final HttpTransport http;

    HttpCoordinatorTransport(String base, HttpTransport http) {
        this.base = base;
        this.http = http;
    }

    @Override
    public HttpTransport.Answer exchange(String method, String path, boolean preferMinimal, byte[] json)
            throws IOException, InterruptedException {
        return json == null ? http.get(base + path) : http.post(base + path, preferMinimal ? PREFER_MINIMAL : Map.of(), json);
    }

    @Override
    public String base() {
        return base;
    }

    @Override
    public void close() {
        // the HttpTransport is the client's own, shared with the branch calls: the client closes it
    }
}
