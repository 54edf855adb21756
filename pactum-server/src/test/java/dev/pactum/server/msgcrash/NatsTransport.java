package dev.pactum.server.msgcrash;

import dev.pactum.api.MessageId;
import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The machine's NATS JetStream: a stream of this run's own (deleted at the end) and a push consumer with explicit
 * acks that acks after the inbox committed and otherwise naks (a duplicate on purpose is nak'ed after its commit, so
 * JetStream redelivers it). The server is shared with other helpers, so it is never restarted: the coordinator
 * reaches it through a {@link TcpProxy}, and the outage is a cut of that proxy (the connector's connection drops and
 * reconnects by itself). The consumer talks to the server directly.
 */
final class NatsTransport extends ProxiedTransport {
    private final String name = "msgcrash-" + Long.toHexString(System.nanoTime());
    private final Connection connection;
    private final JetStreamManagement jsm;
    private final Dispatcher dispatcher;

    NatsTransport(ConsumerLedger ledger) throws IOException, InterruptedException, JetStreamApiException {
        super(4222);
        connection = Nats.connect(Options.builder().server("nats://127.0.0.1:4222")
                .connectionTimeout(Duration.ofSeconds(5)).build());
        jsm = connection.jetStreamManagement();
        jsm.addStream(StreamConfiguration.builder().name(name).subjects(name + ".>").storageType(StorageType.File)
                .build());
        dispatcher = connection.createDispatcher();
        connection.jetStream().subscribe(name + ".msgs", dispatcher, (Message m) -> {
            boolean ack;
            try {
                ack = ledger.receive(MessageId.parse(m.getHeaders().getFirst("Nats-Msg-Id")),
                        new String(m.getData(), StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                ack = false;
            }
            if (ack) {
                m.ack();
            } else {
                m.nak();
            }
        }, false, PushSubscribeOptions.builder().stream(name).configuration(ConsumerConfiguration.builder()
                .ackPolicy(AckPolicy.Explicit).ackWait(Duration.ofSeconds(10)).maxAckPending(64).build()).build());
    }

    @Override
    public String destination() {
        return "nats://127.0.0.1:" + proxy.port() + "/" + name + ".msgs";
    }

    @Override
    public String outage() {
        return "NATS cut off from the coordinator by a TCP proxy (the machine's server is shared: not restarted)";
    }

    @Override
    protected void closeConsumer() throws IOException, InterruptedException, JetStreamApiException {
        try {
            connection.closeDispatcher(dispatcher);
            jsm.deleteStream(name);
        } finally {
            connection.close();
        }
    }
}
