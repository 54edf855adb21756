package dev.pactum.connectors;

import java.net.URI;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * The part of the {@link Connector} contract every connector shares, written once: a destination parser decides
 * {@link #supports} and {@link #whyUnsupported}; {@link #deliver} refuses a destination the parser rejects, answers
 * try-later once closed, and otherwise hands the parsed destination to {@link #deliverTo}.
 *
 * @param <D> the connector's parsed form of a destination URI
 */
public abstract class DestinationConnector<D> implements Connector {
    private final String name;
    private final Set<String> schemes;
    private final Function<URI, D> parser;
    private volatile boolean closed;

    /**
     * @param parser parses a destination URI, throwing {@link IllegalArgumentException} with a sentence saying
     *               what is wrong with it
     */
    protected DestinationConnector(String name, Set<String> schemes, Function<URI, D> parser) {
        this.name = Objects.requireNonNull(name, "name");
        this.schemes = Set.copyOf(schemes);
        this.parser = Objects.requireNonNull(parser, "parser");
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final Set<String> schemes() {
        return schemes;
    }

    @Override
    public final boolean supports(URI destination) {
        return whyUnsupported(destination) == null;
    }

    @Override
    public final String whyUnsupported(URI destination) {
        try {
            parser.apply(destination);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    @Override
    public final Delivery deliver(Message message) {
        D destination;
        try {
            destination = parser.apply(message.destination());
        } catch (IllegalArgumentException e) {
            return Delivery.refused(e.getMessage());
        }
        if (closed) {
            return Delivery.tryLater(name + " connector is closed");
        }
        return deliverTo(destination, message);
    }

    /** Delivers {@code message} to its parsed destination; the {@link Connector#deliver} contract applies. */
    protected abstract Delivery deliverTo(D destination, Message message);

    protected final boolean isClosed() {
        return closed;
    }

    /** Marks the connector closed, then {@link #release releases} its clients. */
    @Override
    public final void close() {
        closed = true;
        release();
    }

    /** Closes connections, producers and threads; called once by {@link #close()}. */
    protected abstract void release();
}
