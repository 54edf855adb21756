package dev.pactum.bench;

import dev.pactum.api.InvalidInputException;
import dev.pactum.client.PactumClient;
import dev.pactum.client.msg.MessageProducer;
import dev.pactum.client.msg.SendResult;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pactum's side: {@link MessageProducer#send} against the coordinator (begin with the half message, the local
 * transaction with its order row and barrier row, submit), answered when the submit is; the coordinator then
 * delivers through its connector. The producer's check endpoint is served too, though a run should never need it:
 * the check timeout (30 s) is far beyond any send, so a check-back in the figures would be a fault to look at.
 */
final class PactumMsgSide implements MsgSide {
    private final MessageProducer producer;
    private final LoopbackServer checkEndpoint;
    private final String destination;
    private final String payload;
    private final AtomicLong seq = new AtomicLong();

    PactumMsgSide(PactumClient client, ProducerDatabase db, URI destination, String payload) throws Exception {
        this.destination = destination.toString();
        this.payload = payload;
        MessageProducer[] built = new MessageProducer[1];
        checkEndpoint = new LoopbackServer("bench-check", true, new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                int status;
                try {
                    status = built[0].checkFromHeaders(request.getHeaders()::get).httpStatus();
                } catch (InvalidInputException e) {
                    status = 400;
                }
                LoopbackServer.answer(response, status, callback);
                return true;
            }
        });
        producer = MessageProducer.builder().client(client).dataSource(db.dataSource())
                .checkUrl(URI.create(checkEndpoint.url("/check"))).checkTimeout(Duration.ofSeconds(30)).build();
        built[0] = producer;
        producer.createSchemaIfMissing();
    }

    @Override
    public String name() {
        return "pactum";
    }

    @Override
    public String send() {
        String order = "pactum-" + seq.incrementAndGet();
        SendResult r = producer.send(destination, payload, conn -> ProducerDatabase.insertOrder(conn, order));
        if (r.state() != SendResult.State.SUBMITTED) {
            throw new IllegalStateException("message " + r.gid() + " was " + r.state() + ": " + r.detail());
        }
        return r.gid();
    }

    @Override
    public void close() throws Exception {
        checkEndpoint.close();
    }
}
