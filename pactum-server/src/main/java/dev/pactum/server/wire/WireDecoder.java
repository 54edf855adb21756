package dev.pactum.server.wire;

import dev.pactum.client.wire.WireException;
import dev.pactum.client.wire.WireFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads the client's hello, then delimits request frames (docs/wire.md). Emits {@link WireFormat.Request}s, and a
 * {@link Refused} for a frame that is delimited but malformed (answered, the connection goes on). What cannot be
 * delimited (a length out of bounds) or is not this protocol at all gets an answer and a close, never garbage and
 * never a hang: an HTTP client gets an HTTP 400 that says what the port speaks; a peer of another version gets
 * this side's hello (so it can say which) and the close.
 */
final class WireDecoder extends ByteToMessageDecoder {
    /** A frame that was delimited but could not be read: answered 400 under its id. */
    record Refused(int id, String message) {
    }

    /** A frame too large for the body limit: answered 413 under its id, then the connection is closed. */
    record TooLarge(int id, int length) {
    }

    private final int maxFrame;
    private boolean greeted;
    /** Set once the connection is being closed: whatever still arrives is dropped unread. */
    private boolean done;

    WireDecoder(int maxBodyBytes) {
        this.maxFrame = WireFormat.maxRequestFrame(maxBodyBytes);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (done) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (!greeted) {
            int n = Math.min(in.readableBytes(), WireFormat.HELLO_BYTES);
            for (int i = 0; i < n; i++) {
                if (!WireFormat.helloByteFits(i, in.getByte(in.readerIndex() + i))) {
                    done = true;
                    refuseForeign(ctx, in);
                    return;
                }
            }
            if (n < WireFormat.HELLO_BYTES) {
                return;
            }
            byte[] hello = new byte[WireFormat.HELLO_BYTES];
            in.readBytes(hello);
            int version = WireFormat.versionOf(hello);
            greeted = true;
            if (ctx.pipeline().get(WireServer.HELLO_TIMEOUT) != null) {
                ctx.pipeline().remove(WireServer.HELLO_TIMEOUT);
            }
            if (version != WireFormat.VERSION) {
                done = true;
                in.skipBytes(in.readableBytes());
                ctx.writeAndFlush(Unpooled.wrappedBuffer(WireFormat.hello())).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            ctx.writeAndFlush(Unpooled.wrappedBuffer(WireFormat.hello()));
        }
        while (in.readableBytes() >= 4 && ctx.channel().isActive()) {
            int length = in.getInt(in.readerIndex());
            if (length < WireFormat.REQUEST_HEADER || length > maxFrame) {
                // Cannot be delimited (or not worth reading): answer under its id if it has one, then close.
                int id = in.readableBytes() >= 8 ? in.getInt(in.readerIndex() + 4) : 0;
                done = true;
                in.skipBytes(in.readableBytes());
                if (length > maxFrame && id != 0) {
                    out.add(new TooLarge(id, length));
                } else {
                    out.add(new Fatal("frame length " + length + " outside " + WireFormat.REQUEST_HEADER + ".." + maxFrame));
                }
                return;
            }
            if (in.readableBytes() < 4 + length) {
                return;
            }
            in.skipBytes(4);
            ByteBuf frame = in.readSlice(length);
            try {
                out.add(WireFormat.readRequest(frame.nioBuffer()));
            } catch (WireException e) {
                out.add(e.id() == 0 ? new Fatal(e.getMessage()) : new Refused(e.id(), e.getMessage()));
                if (e.id() == 0) {
                    done = true;
                    in.skipBytes(in.readableBytes());
                    return;
                }
            }
        }
    }

    /** A frame that cannot be answered under an id: a connection-level error answer (id 0), then the close. */
    record Fatal(String message) {
    }

    private static void refuseForeign(ChannelHandlerContext ctx, ByteBuf in) {
        in.skipBytes(in.readableBytes());
        String body = "{\"error\":\"wrong_protocol\",\"message\":\"this port speaks the Pactum wire protocol"
                + " (docs/wire.md), not HTTP; use the coordinator's HTTP port\"}";
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: " + b.length
                + "\r\nConnection: close\r\n\r\n";
        ByteBuf answer = Unpooled.wrappedBuffer(head.getBytes(StandardCharsets.US_ASCII), b);
        ctx.writeAndFlush(answer).addListener(ChannelFutureListener.CLOSE);
    }
}
