package dev.pactum.bench;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.StreamConfiguration;

import java.net.URI;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The NATS JetStream destination, on the machine's server (127.0.0.1:4222): a stream of this run's own (file
 * storage, the server's default) over one subject, deleted after. The consumer is an ordered push consumer of the
 * stream, so a receipt is a message the stream stored and handed out, not a core-NATS copy of the publish.
 */
final class NatsBenchDestination implements MsgDestination {
    private static final String SERVER = "127.0.0.1:4222";

    private final String stream = MsgDestination.runName("PACTUM_BENCH_");
    private final String subject = stream.toLowerCase(java.util.Locale.ROOT) + ".messages";
    private final Connection connection;
    private final JetStreamManagement jsm;
    private final Dispatcher dispatcher;

    NatsBenchDestination(Consumer<String> onReceipt) throws Exception {
        // An ErrorListener of our own (its defaults do nothing): the default one logs every flow-control exchange of
        // the push consumer, i.e. all the time under load.
        connection = Nats.connect(Options.builder().server("nats://" + SERVER)
                .connectionTimeout(Duration.ofSeconds(5)).errorListener(new ErrorListener() { }).build());
        jsm = connection.jetStreamManagement();
        jsm.addStream(StreamConfiguration.builder().name(stream).subjects(subject).build());
        dispatcher = connection.createDispatcher();
        connection.jetStream().subscribe(subject, dispatcher, m -> {
            String id = m.getHeaders() == null ? null : m.getHeaders().getFirst(ID_HEADER);
            if (id != null) {
                onReceipt.accept(id);
            }
        }, false, PushSubscribeOptions.builder().ordered(true).build());
    }

    @Override
    public URI uri() {
        return URI.create("nats://" + SERVER + "/" + subject);
    }

    @Override
    public String rawPublishIs() {
        return "JetStream publish waiting for the stream's ack, jnats (the NATS connector)";
    }

    @Override
    public void close() throws Exception {
        try {
            connection.closeDispatcher(dispatcher);
            jsm.deleteStream(stream);
        } finally {
            connection.close();
        }
    }
}
