package dev.pactum.server.msgcrash;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP forwarder between the coordinator and a broker that the test can cut and restore: the outage of a broker
 * the machine shares with other helpers (RabbitMQ, NATS), which must not be restarted. {@link #cut()} closes every
 * forwarded connection and stops listening (new connections are refused, as from a dead broker); {@link #restore()}
 * listens again on the same port. Only the coordinator's side goes through it; the test's consumer talks to the
 * broker directly.
 */
final class TcpProxy implements AutoCloseable {
    private final String host;
    private final int targetPort;
    private final int port;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile ServerSocket server;

    TcpProxy(String host, int targetPort) throws IOException {
        this.host = host;
        this.targetPort = targetPort;
        ServerSocket s = listen(0);
        this.port = s.getLocalPort();
        accept(s);
    }

    int port() {
        return port;
    }

    /** How many connections it has forwarded so far (a reconnect after a cut counts again). */
    int accepted() {
        return accepted.get();
    }

    /**
     * Refuse and drop every connection until {@link #restore()}.
     *
     * @return how many live connections it dropped (each forwarded connection counts once)
     */
    synchronized int cut() throws IOException {
        ServerSocket s = server;
        server = null;
        if (s != null) {
            s.close();
        }
        int live = open.size() / 2;
        for (Socket sock : open) {
            closeQuietly(sock);
        }
        open.clear();
        return live;
    }

    synchronized void restore() throws IOException {
        if (server == null) {
            accept(listen(port));
        }
    }

    @Override
    public void close() throws IOException {
        cut();
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress("127.0.0.1", port));
        return s;
    }

    private void accept(ServerSocket s) {
        server = s;
        Thread.ofVirtual().name("proxy-accept-" + port).start(() -> {
            while (!s.isClosed()) {
                try {
                    Socket client = s.accept();
                    Socket upstream = new Socket();
                    try {
                        upstream.connect(new InetSocketAddress(host, targetPort), 2000);
                    } catch (IOException e) {
                        closeQuietly(client);
                        closeQuietly(upstream);
                        continue;
                    }
                    open.add(client);
                    open.add(upstream);
                    if (server != s) { // cut while this one connected
                        closeQuietly(client);
                        closeQuietly(upstream);
                        continue;
                    }
                    accepted.incrementAndGet();
                    pump(client, upstream);
                    pump(upstream, client);
                } catch (IOException closed) {
                    return; // cut
                }
            }
        });
    }

    private void pump(Socket from, Socket to) {
        Thread.ofVirtual().start(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (SocketException closed) {
                // cut, or the other side went away
            } catch (IOException e) {
                // the same: a forwarder has no one to tell
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                open.remove(from);
                open.remove(to);
            }
        });
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing is all we wanted
        }
    }
}
