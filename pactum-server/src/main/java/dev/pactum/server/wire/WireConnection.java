package dev.pactum.server.wire;

import dev.pactum.client.wire.WireFormat;
import dev.pactum.server.api.ApiAnswer;
import dev.pactum.server.api.ApiDispatcher;
import dev.pactum.server.api.ApiError;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client connection: runs each request on a virtual thread (the dispatcher may wait for the store's fsync,
 * which must never hold the event loop) and writes the answers back in batches. An answer made on a virtual thread
 * is queued; the first one queued while none is pending schedules one task on the event loop, which writes every
 * answer queued by then and flushes once: with many requests in flight, many answers share one wake-up of the loop
 * and one write. Jetty's HTTP path paid a selector wake-up and a write per exchange (docs/architecture.md).
 *
 * <p>At most {@code maxInFlight} requests run at once per connection; beyond that the connection stops reading
 * (TCP pushes back on the client) until answers have gone out, so a client cannot queue unbounded work.
 */
final class WireConnection extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(WireConnection.class);

    private final ApiDispatcher api;
    private final ExecutorService requests;
    private final int maxInFlight;
    private final Queue<byte[]> answers = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** Touched on the event loop only. */
    private int inFlight;
    /** The client shut its side: no more requests; close once the last answer is out (event loop only). */
    private boolean inputShut;
    private ChannelHandlerContext ctx;

    WireConnection(ApiDispatcher api, ExecutorService requests, int maxInFlight) {
        this.api = api;
        this.requests = requests;
        this.maxInFlight = maxInFlight;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        switch (msg) {
            case WireFormat.Request r -> dispatch(r);
            case WireDecoder.Refused r -> ctx.write(Unpooled.wrappedBuffer(error(r.id(), 400, "bad_frame", r.message())));
            case WireDecoder.TooLarge t -> {
                ApiAnswer a = ApiDispatcher.answerOf(api.tooLarge());
                ctx.writeAndFlush(Unpooled.wrappedBuffer(frame(t.id(), a))).addListener(ChannelFutureListener.CLOSE);
            }
            case WireDecoder.Fatal f -> ctx.writeAndFlush(Unpooled.wrappedBuffer(error(0, 400, "bad_frame", f.message())))
                    .addListener(ChannelFutureListener.CLOSE);
            default -> throw new IllegalStateException("unexpected message " + msg.getClass());
        }
    }

    private void dispatch(WireFormat.Request r) {
        inFlight++;
        if (inFlight >= maxInFlight) {
            ctx.channel().config().setAutoRead(false);
        }
        try {
            requests.execute(() -> answer(r.id(), api.dispatch(r.method(), r.path(), r.query(), r.preferMinimal(),
                    r::body)));
        } catch (RejectedExecutionException stopping) {
            answer(r.id(), ApiDispatcher.answerOf(new ApiError(503, "stopping", "the coordinator is stopping", null)));
        }
    }

    /** From any thread: queues the answer; the first of a batch schedules the write on the event loop. */
    private void answer(int id, ApiAnswer a) {
        answers.add(frame(id, a));
        if (drainScheduled.compareAndSet(false, true)) {
            ctx.executor().execute(this::drain);
        }
    }

    private void drain() {
        drainScheduled.set(false);
        int n = 0;
        for (byte[] f; (f = answers.poll()) != null; n++) {
            ctx.write(Unpooled.wrappedBuffer(f), ctx.voidPromise());
        }
        if (n > 0) {
            ctx.flush();
            inFlight -= n;
            if (inputShut && inFlight == 0) {
                ctx.close();
            } else if (inFlight < maxInFlight && !ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
        }
    }

    /**
     * A client that shut its sending side (half-close) still gets the answers to what it sent, as over HTTP: the
     * connection closes once they are out. Without this, a request whose sender shut down early could take effect
     * and its answer be lost.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShut = true;
            if (inFlight == 0) {
                ctx.flush();
                ctx.close();
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush(); // the error answers written while reading
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset by the peer, mostly: nothing to answer on a broken connection.
        log.debug("wire connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    private static byte[] frame(int id, ApiAnswer a) {
        return WireFormat.answer(id, a.status(), a.minimal(), !ApiAnswer.JSON.equals(a.contentType()), a.allow(), a.body());
    }

    /** A refused frame's answer: the API's own error body, field "frame". */
    private static byte[] error(int id, int status, String code, String message) {
        return frame(id, ApiDispatcher.answerOf(new ApiError(status, code, message, "frame")));
    }
}
