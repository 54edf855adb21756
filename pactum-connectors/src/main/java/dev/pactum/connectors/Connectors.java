package dev.pactum.connectors;

import dev.pactum.api.InvalidInputException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * The registry the message pattern delivers through: picks the {@link Connector} for a message by its
 * destination's URI scheme. Connectors come from explicit wiring ({@link Builder#add}) and from
 * {@link ServiceLoader} ({@link Builder#addInstalled}); an explicitly added connector wins over an installed
 * one for the same scheme, so a user can replace a built-in one.
 *
 * <pre>{@code
 * Connectors connectors = Connectors.builder()
 *         .add(new RabbitConnector(RabbitConnectorConfig.builder().username("app").password(secret).build()))
 *         .addInstalled(ConnectorSettings.of(ConnectorTimeouts.DEFAULTS))   // http, kafka, nats, ...
 *         .build();
 * connectors.check(destination);                 // at prepare time: InvalidInputException if unusable
 * Delivery d = connectors.deliver(message);      // never throws
 * }</pre>
 *
 * <p>Immutable after build and thread-safe; {@link #close()} closes every connector it holds.
 */
public final class Connectors implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Connectors.class);

    private final Map<String, Connector> byScheme;
    private final List<Connector> all;

    private Connectors(Map<String, Connector> byScheme, List<Connector> all) {
        this.byScheme = Collections.unmodifiableMap(new LinkedHashMap<>(byScheme));
        this.all = List.copyOf(all);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The connector serving {@code destination}'s scheme, if any (whether it {@link Connector#supports supports} the rest or not). */
    public Optional<Connector> connectorFor(URI destination) {
        Objects.requireNonNull(destination, "destination");
        String scheme = destination.getScheme();
        return scheme == null ? Optional.empty() : Optional.ofNullable(byScheme.get(scheme.toLowerCase(Locale.ROOT)));
    }

    /** The schemes served, in the order they were registered. */
    public List<String> schemes() {
        return List.copyOf(byScheme.keySet());
    }

    /**
     * Checks that a message to {@code destination} could be delivered: a connector serves its scheme and accepts
     * the rest of the URI. For prepare time, so a bad destination is refused before anything is stored.
     *
     * @throws InvalidInputException with field {@code destination}, saying what is wrong
     */
    public void check(URI destination) {
        if (destination == null) {
            throw new InvalidInputException("destination", "destination is required");
        }
        Connector c = connectorFor(destination).orElseThrow(() -> new InvalidInputException("destination",
                "no connector for scheme '" + destination.getScheme() + "' of " + destination + "; configured: "
                        + byScheme.keySet()));
        String why = c.whyUnsupported(destination);
        if (why != null) {
            throw new InvalidInputException("destination", why);
        }
    }

    /**
     * Delivers {@code message} with the connector for its scheme. Never throws: no connector for the scheme is
     * {@link Delivery.Status#TRY_LATER} (a restart with the connector configured delivers it), a destination the
     * connector rejects is {@link Delivery.Status#REFUSED} (no retry can fix the URI), and a connector that
     * throws despite its contract is {@link Delivery.Status#TRY_LATER}, logged as the bug it is.
     */
    public Delivery deliver(Message message) {
        Objects.requireNonNull(message, "message");
        Optional<Connector> found = connectorFor(message.destination());
        if (found.isEmpty()) {
            return Delivery.tryLater("no connector for scheme '" + message.scheme() + "'; configured: "
                    + byScheme.keySet());
        }
        Connector c = found.get();
        String why = c.whyUnsupported(message.destination());
        if (why != null) {
            return Delivery.refused(why);
        }
        try {
            return Objects.requireNonNull(c.deliver(message), "connector returned null");
        } catch (RuntimeException e) {
            log.warn("connector {} threw delivering {} (a bug: connectors return try-later)", c.name(), message, e);
            return Delivery.tryLater(c.name() + " failed: " + e);
        }
    }

    /** Closes every connector; a failure of one does not keep the others open. */
    @Override
    public void close() {
        for (Connector c : all) {
            try {
                c.close();
            } catch (RuntimeException e) {
                log.warn("closing connector {} failed", c.name(), e);
            }
        }
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        byScheme.forEach((s, c) -> parts.add(s + "=" + c.name()));
        return "connectors " + parts;
    }

    /** Collects connectors; not thread-safe. */
    public static final class Builder {
        private final Map<String, Connector> byScheme = new LinkedHashMap<>();
        private final List<Connector> all = new ArrayList<>();

        private Builder() {
        }

        /**
         * Wires a connector explicitly for each of its schemes.
         *
         * @throws IllegalArgumentException when another explicitly added connector already serves one of them
         */
        public Builder add(Connector connector) {
            Objects.requireNonNull(connector, "connector");
            if (connector.schemes().isEmpty()) {
                throw new IllegalArgumentException("connector " + connector.name() + " serves no scheme");
            }
            for (String scheme : connector.schemes()) {
                Connector before = byScheme.get(scheme);
                if (before != null) {
                    throw new IllegalArgumentException("scheme " + scheme + " is already served by " + before.name()
                            + "; cannot add " + connector.name());
                }
            }
            connector.schemes().forEach(s -> byScheme.put(s.toLowerCase(Locale.ROOT), connector));
            all.add(connector);
            return this;
        }

        /**
         * Adds a connector from every {@link ConnectorProvider} on the class path whose schemes are not yet
         * served: explicit ones added before this call win.
         */
        public Builder addInstalled(ConnectorSettings settings) {
            return addInstalled(settings, ServiceLoader.load(ConnectorProvider.class));
        }

        Builder addInstalled(ConnectorSettings settings, Iterable<ConnectorProvider> providers) {
            Objects.requireNonNull(settings, "settings");
            for (ConnectorProvider p : providers) {
                if (p.schemes().stream().anyMatch(byScheme::containsKey)) {
                    log.debug("skipping installed {} for {}: scheme already served", p.getClass().getName(), p.schemes());
                    continue;
                }
                Connector c = p.create(settings);
                if (!c.schemes().equals(p.schemes())) {
                    c.close();
                    throw new IllegalStateException(p.getClass().getName() + " declared schemes " + p.schemes()
                            + " but made a connector for " + c.schemes());
                }
                add(c);
            }
            return this;
        }

        public Connectors build() {
            Connectors built = new Connectors(byScheme, all);
            log.info("{}", built);
            return built;
        }
    }
}
