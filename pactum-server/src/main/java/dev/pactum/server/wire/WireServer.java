package dev.pactum.server.wire;

import dev.pactum.server.api.ApiDispatcher;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The coordinator's API over the wire protocol (docs/wire.md), beside HTTP: Netty, one event loop thread for
 * accepting and for every connection's reads and writes, requests on virtual threads through the same
 * {@link ApiDispatcher} as HTTP. Why Netty and one loop: docs/architecture.md.
 */
public final class WireServer implements AutoCloseable {
    /** Requests one connection may have running at once; then it stops reading until answers went out. */
    public static final int MAX_IN_FLIGHT = 1024;
    /** Seconds a new connection has to send its hello. */
    static final int HELLO_SECONDS = 10;
    static final String HELLO_TIMEOUT = "hello-timeout";

    private final EventLoopGroup loop;
    private final ExecutorService requests;
    private final ChannelGroup connections;
    private final Channel server;

    private WireServer(EventLoopGroup loop, ExecutorService requests, ChannelGroup connections, Channel server) {
        this.loop = loop;
        this.requests = requests;
        this.connections = connections;
        this.server = server;
    }

    /** Listens on {@code bind:port} (0: any free port) until closed. */
    public static WireServer start(ApiDispatcher api, String bind, int port) throws InterruptedException {
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("pactum-wire", true),
                NioIoHandler.newFactory());
        ExecutorService requests = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("pactum-wire-", 0).factory());
        ChannelGroup connections = new DefaultChannelGroup("pactum-wire", GlobalEventExecutor.INSTANCE);
        try {
            Channel server = new ServerBootstrap()
                    .group(loop)
                    .channel(NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true) // see WireConnection.userEventTriggered
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            connections.add(ch);
                            // A peer that never finishes its hello is closed; once greeted, the decoder removes this.
                            ch.pipeline().addLast(HELLO_TIMEOUT, new ReadTimeoutHandler(HELLO_SECONDS, TimeUnit.SECONDS));
                            ch.pipeline().addLast(new WireDecoder(api.maxBodyBytes()),
                                    new WireConnection(api, requests, MAX_IN_FLIGHT));
                        }
                    })
                    .bind(new InetSocketAddress(bind, port)).sync().channel();
            return new WireServer(loop, requests, connections, server);
        } catch (RuntimeException | InterruptedException e) {
            requests.close();
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /**
     * Stops accepting, lets the requests already running finish and answer (bounded), then closes every connection
     * and the event loop. A client whose request was cut by the close gets "unreachable", as with HTTP.
     */
    @Override
    public void close() {
        server.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        requests.shutdown();
        try {
            requests.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // The last answers are queued on the loop; closing after them lets them go out first.
        loop.submit(() -> connections.close()).awaitUninterruptibly(5, TimeUnit.SECONDS);
        loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
