package dev.pactum.server.invoke;

import dev.pactum.api.BranchOp;
import dev.pactum.api.InvalidInputException;
import dev.pactum.api.MessageId;
import dev.pactum.api.Outcome;
import dev.pactum.connectors.Connectors;
import dev.pactum.connectors.Delivery;
import dev.pactum.connectors.Message;
import dev.pactum.core.spi.BranchCall;
import dev.pactum.core.spi.BranchInvoker;
import dev.pactum.core.spi.CallResult;

import java.net.URI;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.nio.charset.StandardCharsets;

/**
 * The coordinator's one {@link BranchInvoker}: a committed message's {@code deliver} goes to its destination through
 * the connector its URI scheme picks (HTTP, RabbitMQ, Kafka, NATS: pactum-connectors), every other call (TCC's and
 * XA's phase 2, a message's check-back) is a plain HTTP call. Core stays free of I/O and of brokers; this class is
 * where the two meet.
 *
 * <p>A connector's three outcomes become the branch's: DELIVERED is a success, REFUSED a failure (409), TRY_LATER
 * no answer. Phase 2 retries the last two alike (a decided message must be delivered), with the detail kept as the
 * branch's last error. Never throws.
 */
public final class RoutingBranchInvoker implements BranchInvoker {
    private final BranchInvoker http;
    private final Connectors connectors;

    public RoutingBranchInvoker(BranchInvoker http, Connectors connectors) {
        this.http = http;
        this.connectors = connectors;
    }

    @Override
    public CallResult invoke(BranchCall call) {
        return call.op() == BranchOp.DELIVER ? deliver(call) : http.invoke(call);
    }

    /** A delivery runs on {@code executor} (a connector blocks); every other call takes the HTTP invoker's own way. */
    @Override
    public CompletableFuture<CallResult> invokeAsync(BranchCall call, Executor executor) {
        return call.op() == BranchOp.DELIVER ? CompletableFuture.supplyAsync(() -> deliver(call), executor)
                : http.invokeAsync(call, executor);
    }

    private CallResult deliver(BranchCall call) {
        Message message;
        try {
            byte[] body = call.payload() == null ? new byte[0] : call.payload().getBytes(StandardCharsets.UTF_8);
            Message.Builder b = Message.builder(new MessageId(call.gid(), call.branchId()), new URI(call.url()))
                    .key(call.key()).payload(body).traceparent(HttpBranchInvoker.traceparent(call.gid()));
            if (call.headers() != null) {
                call.headers().forEach(b::header);
            }
            message = b.build();
        } catch (InvalidInputException | java.net.URISyntaxException e) {
            // Registration checked the destination, so this is a store written by another version: keep it visible.
            return new CallResult(Outcome.FAILURE, 409, "message cannot be built: " + e.getMessage());
        }
        Delivery d = connectors.deliver(message);
        return switch (d.status()) {
            case DELIVERED -> new CallResult(Outcome.SUCCESS, 200, null);
            case REFUSED -> new CallResult(Outcome.FAILURE, 409, "delivery refused: " + d.detail());
            case TRY_LATER -> CallResult.noAnswer("delivery not confirmed: " + d.detail());
        };
    }

    /** Closes the connectors; the HTTP invoker belongs to the caller. */
    @Override
    public void close() {
        connectors.close();
    }
}
