package dev.pactum.client.wire;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The SDK's client of the coordinator's wire protocol (docs/wire.md): a few connections, opened on first use, each
 * carrying many requests at once. A request goes out on the next connection in turn; a connection that broke fails
 * the requests it carried (an {@link IOException}, which the SDK reads as "unreachable, outcome unknown", as an
 * HTTP exchange cut short) and is opened anew by the next request that picks it. Thread-safe.
 */
public final class WireClient implements AutoCloseable {
    /** Connections per coordinator: enough to keep two cores busy, few enough that requests share reads and writes. */
    public static final int DEFAULT_CONNECTIONS = 2;

    private final InetSocketAddress address;
    private final Duration timeout;
    private final WireConnection[] slots;
    /** Locks, not monitors: a virtual thread that connects while holding one must not pin its carrier (JDK 21). */
    private final ReentrantLock[] slotLocks;
    private final AtomicInteger next = new AtomicInteger();
    private volatile boolean closed;

    public WireClient(String host, int port, int connections, Duration timeout) {
        if (connections < 1 || connections > 64) {
            throw new IllegalArgumentException("connections must be within 1..64, was " + connections);
        }
        this.address = InetSocketAddress.createUnresolved(host, port);
        this.timeout = timeout;
        this.slots = new WireConnection[connections];
        this.slotLocks = new ReentrantLock[connections];
        for (int i = 0; i < connections; i++) {
            slotLocks[i] = new ReentrantLock();
        }
    }

    /**
     * One request and its answer, within the timeout. Throws {@link IOException} when there is no answer: the
     * coordinator cannot be reached, the connection broke before the answer came, or the timeout passed.
     */
    public WireFormat.Answer exchange(String method, String pathAndQuery, boolean preferMinimal, byte[] body)
            throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        WireConnection c = connection(Math.floorMod(next.getAndIncrement(), slots.length), deadline);
        return c.exchange(method, pathAndQuery, preferMinimal, body, deadline);
    }

    /** The slot's connection, opened anew (connect and hellos within what is left of the request's time) if need be. */
    private WireConnection connection(int i, long deadline) throws IOException {
        WireConnection c = slots[i];
        if (c != null && c.usable()) {
            return c;
        }
        slotLocks[i].lock();
        try {
            if (closed) {
                throw new IOException("the client is closed");
            }
            c = slots[i];
            if (c == null || !c.usable()) {
                Duration left = Duration.ofNanos(deadline - System.nanoTime());
                if (left.toMillis() < 1) {
                    throw new IOException("no time left within the request timeout to connect");
                }
                c = WireConnection.open(new InetSocketAddress(address.getHostString(), address.getPort()), left,
                        "pactum-wire-" + address.getHostString() + ":" + address.getPort() + "#" + i);
                slots[i] = c;
            }
            return c;
        } finally {
            slotLocks[i].unlock();
        }
    }

    @Override
    public void close() {
        closed = true;
        for (int i = 0; i < slots.length; i++) {
            slotLocks[i].lock();
            try {
                if (slots[i] != null) {
                    slots[i].close();
                }
            } finally {
                slotLocks[i].unlock();
            }
        }
    }
}
