package dev.pactum.connectors;

import java.util.Objects;

/**
 * How one delivery attempt ended. A connector returns one of these for everything the broker or the network
 * does; it throws only for a bug of its own.
 *
 * @param status what the caller should do next
 * @param detail for logs and the message's record: the broker's answer or what failed, never null
 */
public record Delivery(Status status, String detail) {
    /** The three outcomes of DESIGN.md's conventions, in a message's words. */
    public enum Status {
        /** The broker (or the HTTP endpoint) has the message and confirmed it: done. */
        DELIVERED,
        /** Refused for good: retrying cannot help (HTTP 409, a record too large for the topic). */
        REFUSED,
        /** Not known to be delivered: retry later (timeouts, broker down, unroutable, anything unexpected). */
        TRY_LATER
    }

    public Delivery {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
    }

    public static Delivery delivered(String detail) {
        return new Delivery(Status.DELIVERED, detail);
    }

    public static Delivery refused(String detail) {
        return new Delivery(Status.REFUSED, detail);
    }

    public static Delivery tryLater(String detail) {
        return new Delivery(Status.TRY_LATER, detail);
    }

    public boolean isDelivered() {
        return status == Status.DELIVERED;
    }

    @Override
    public String toString() {
        return status + ": " + detail;
    }
}
