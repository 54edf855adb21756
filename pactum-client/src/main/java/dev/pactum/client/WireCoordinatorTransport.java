package dev.pactum.client;

import dev.pactum.client.wire.WireClient;
import dev.pactum.client.wire.WireFormat;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;

/**
 * The coordinator's API over the wire protocol (docs/wire.md), chosen by a {@code pactum://host:port} address:
 * the same requests and answers as HTTP, multiplexed over a few connections. Measured against HTTP in
 * docs/benchmarks.md.
 */
final class WireCoordinatorTransport implements CoordinatorTransport {
    static final String SCHEME = "pactum";

    private final String base;
    private final WireClient client;

    WireCoordinatorTransport(URI address, Duration timeout) {
        if (address.getHost() == null || address.getPort() < 1) {
            throw new IllegalArgumentException("a wire address is pactum://host:port, was " + address);
        }
        String path = address.getRawPath();
        if ((path != null && !path.isEmpty() && !path.equals("/")) || address.getRawQuery() != null) {
            throw new IllegalArgumentException("a wire address has no path or query, was " + address);
        }
        this.base = SCHEME + "://" + address.getHost() + ":" + address.getPort();
        this.client = new WireClient(address.getHost(), address.getPort(), WireClient.DEFAULT_CONNECTIONS, timeout);
    }

    @Override
    public HttpTransport.Answer exchange(String method, String path, boolean preferMinimal, byte[] json)
            throws IOException, InterruptedException {
        WireFormat.Answer a = client.exchange(method, path, preferMinimal, json);
        return new HttpTransport.Answer(a.status(), a.body());
    }

    @Override
    public String base() {
        return base;
    }

    @Override
    public void close() {
        client.close();
    }
}
