package dev.pactum.client.wire;

import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One connection of a {@link WireClient}: plain blocking sockets, no library. Callers queue their frames; whoever
 * finds the socket free writes every frame queued by then in one write (the others return at once and wait for
 * their answers), so concurrent requests share writes without a writer thread to wake. One reader thread per
 * connection reads answers in bulk and completes each caller's future by request id.
 */
final class WireConnection {
    private static final int OUT_BUFFER = 64 * 1024;

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final String name;
    private final ConcurrentHashMap<Integer, CompletableFuture<WireFormat.Answer>> pending = new ConcurrentHashMap<>();
    private final Queue<byte[]> outbox = new ConcurrentLinkedQueue<>();
    private final ReentrantLock writing = new ReentrantLock();
    private final AtomicInteger idSource = new AtomicInteger();
    private volatile IOException broken;

    private WireConnection(Socket socket, String name) throws IOException {
        this.socket = socket;
        this.name = name;
        this.out = new BufferedOutputStream(socket.getOutputStream(), OUT_BUFFER);
        this.in = socket.getInputStream();
    }

    /** Connects, exchanges hellos (both within {@code timeout}), starts the reader. */
    static WireConnection open(InetSocketAddress address, Duration timeout, String name) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(address, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            OutputStream o = s.getOutputStream();
            o.write(WireFormat.hello());
            o.flush();
            byte[] hello = s.getInputStream().readNBytes(WireFormat.HELLO_BYTES);
            int version = WireFormat.versionOf(hello);
            if (version < 0) {
                throw new IOException("the coordinator at " + address + " did not answer the wire protocol's hello"
                        + " (is it its HTTP port, or is the wire port not open?)");
            }
            if (version != WireFormat.VERSION) {
                throw new IOException("the coordinator at " + address + " speaks wire protocol version " + version
                        + ", this client " + WireFormat.VERSION);
            }
            s.setSoTimeout(0); // the reader waits for answers as long as requests are pending; their timeouts bound it
            WireConnection c = new WireConnection(s, name);
            Thread.ofPlatform().daemon().name(name).start(c::readLoop);
            return c;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    boolean usable() {
        return broken == null;
    }

    WireFormat.Answer exchange(String method, String pathAndQuery, boolean preferMinimal, byte[] body, long deadline)
            throws IOException, InterruptedException {
        int id = idSource.incrementAndGet();
        if (id == 0) {
            id = idSource.incrementAndGet(); // wrapped around: 0 is the connection's own
        }
        byte[] frame = WireFormat.request(id, method, pathAndQuery, preferMinimal, body);
        CompletableFuture<WireFormat.Answer> answer = new CompletableFuture<>();
        pending.put(id, answer);
        try {
            IOException b = broken;
            if (b != null) {
                throw new IOException("connection " + name + " is broken: " + b.getMessage(), b);
            }
            outbox.add(frame);
            flushOutbox();
            long wait = deadline - System.nanoTime();
            return answer.get(Math.max(0, wait), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new IOException("no answer within the request timeout", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof IOException io ? new IOException(io.getMessage(), io) : new IOException(String.valueOf(c), c);
        } finally {
            pending.remove(id);
        }
    }

    /**
     * Writes what is queued unless another caller is writing: that one writes it (it looks again after it let go
     * of the lock), so a frame never waits behind an idle socket.
     */
    private void flushOutbox() {
        while (!outbox.isEmpty() && writing.tryLock()) {
            try {
                for (byte[] f; (f = outbox.poll()) != null; ) {
                    out.write(f);
                }
                out.flush();
            } catch (IOException e) {
                fail(e);
                return;
            } finally {
                writing.unlock();
            }
        }
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try {
            while (true) {
                int n = in.read(buf.array(), buf.position(), buf.remaining());
                if (n < 0) {
                    throw new EOFException("the coordinator closed the connection");
                }
                buf.position(buf.position() + n);
                buf.flip();
                while (buf.remaining() >= 4) {
                    int length = buf.getInt(buf.position());
                    if (length < WireFormat.ANSWER_HEADER || length > WireFormat.MAX_ANSWER_FRAME) {
                        throw new IOException("answer frame length " + length + " out of bounds");
                    }
                    if (buf.remaining() < 4 + length) {
                        break;
                    }
                    buf.position(buf.position() + 4);
                    ByteBuffer frame = buf.slice(buf.position(), length);
                    buf.position(buf.position() + length);
                    WireFormat.Answer a;
                    try {
                        a = WireFormat.readAnswer(frame);
                    } catch (WireException e) {
                        throw new IOException("unreadable answer frame: " + e.getMessage());
                    }
                    if (a.id() == 0) {
                        throw new IOException("the coordinator refused the connection's frames: "
                                + new String(a.body(), java.nio.charset.StandardCharsets.UTF_8));
                    }
                    CompletableFuture<WireFormat.Answer> f = pending.get(a.id());
                    if (f != null) {
                        f.complete(a); // one whose caller gave up (timeout) is dropped
                    }
                }
                buf.compact();
                if (!buf.hasRemaining()) {
                    int need = 4 + buf.getInt(0);
                    ByteBuffer bigger = ByteBuffer.allocate(Math.max(need, buf.capacity() * 2));
                    buf.flip();
                    bigger.put(buf);
                    buf = bigger;
                }
            }
        } catch (IOException e) {
            fail(e);
        } catch (RuntimeException e) {
            fail(new IOException("wire reader failed: " + e, e));
        }
    }

    /** Marks the connection broken and fails every request it carries: none of them has an answer. */
    private void fail(IOException cause) {
        if (broken == null) {
            broken = cause;
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a broken socket: nothing more to learn
        }
        for (CompletableFuture<WireFormat.Answer> f : pending.values()) {
            f.completeExceptionally(new IOException("connection " + name + " lost before the answer: "
                    + cause.getMessage(), cause));
        }
    }

    void close() {
        fail(new IOException("the client was closed"));
    }
}
