package dev.pactum.bench;

import dev.pactum.api.MessageId;
import dev.pactum.connectors.ConnectorSettings;
import dev.pactum.connectors.ConnectorTimeouts;
import dev.pactum.connectors.Connectors;
import dev.pactum.connectors.Delivery;
import dev.pactum.connectors.Message;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The broker's raw publish: the same message, payload and destination published from the benchmark's process
 * with the connector the coordinator delivers with (same client library, same settings: a publisher confirm on
 * RabbitMQ, an idempotent producer with acks=all on Kafka, a JetStream publish waiting for its ack on NATS, a POST
 * answered 200 over HTTP), with no coordinator and no local transaction. What a service that needs no atomicity
 * with its database would do.
 */
final class RawPublishSide implements MsgSide {
    private final Connectors connectors = Connectors.builder()
            .addInstalled(ConnectorSettings.of(ConnectorTimeouts.DEFAULTS)).build();
    private final URI destination;
    private final byte[] payload;
    /** Ids of the coordinator's shape (no '/'), unique to this run so a stray of another run is never matched. */
    private final String prefix = "raw-" + UUID.randomUUID().toString().substring(0, 8) + "-";
    private final AtomicLong seq = new AtomicLong();

    RawPublishSide(URI destination, String payload) {
        this.destination = destination;
        this.payload = payload.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String name() {
        return "raw publish";
    }

    @Override
    public String send() throws IOException {
        String id = prefix + seq.incrementAndGet();
        Delivery d = connectors.deliver(Message.builder(new MessageId(id, "message"), destination).payload(payload).build());
        if (d.status() != Delivery.Status.DELIVERED) {
            throw new IOException("publish of " + id + ": " + d.status() + " " + d.detail());
        }
        return id;
    }

    @Override
    public void close() {
        connectors.close();
    }
}
