package dev.pactum.server.msgcrash;

import java.io.IOException;

/**
 * A transport whose outage is a cut of a {@link TcpProxy} between the coordinator and the broker (or the HTTP
 * consumer): for the machine's shared RabbitMQ and NATS, which must not be restarted, and for HTTP.
 */
abstract class ProxiedTransport implements Transport {
    /** What the coordinator connects to; {@link #destination()} names its port. */
    protected final TcpProxy proxy;
    private int cutLive;
    private int acceptedBeforeRestore;

    protected ProxiedTransport(int brokerPort) throws IOException {
        this.proxy = new TcpProxy("127.0.0.1", brokerPort);
    }

    @Override
    public final void breakBroker() throws IOException {
        cutLive = proxy.cut();
    }

    @Override
    public final void repairBroker() throws IOException {
        acceptedBeforeRestore = proxy.accepted();
        proxy.restore();
    }

    @Override
    public String outageEffect() {
        return "; " + cutLive + " live connections cut, " + (proxy.accepted() - acceptedBeforeRestore)
                + " opened after the restore";
    }

    @Override
    public final void close() throws Exception {
        proxy.close();
        closeConsumer();
    }

    /** Stops the consumer and deletes what the run created on the broker. */
    protected abstract void closeConsumer() throws Exception;
}
