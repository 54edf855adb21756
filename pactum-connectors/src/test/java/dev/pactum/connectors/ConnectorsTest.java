package dev.pactum.connectors;

import dev.pactum.api.InvalidInputException;
import dev.pactum.api.MessageId;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The registry: picking by scheme, ServiceLoader, explicit wiring first, and never throwing from deliver. */
class ConnectorsTest {
    /** A connector that records what it was given and answers as told; supports any URI of its scheme with a path. */
    static final class Fake implements Connector {
        final String scheme;
        final Delivery answer;
        final RuntimeException thrown;
        int delivered;
        boolean closed;

        Fake(String scheme, Delivery answer, RuntimeException thrown) {
            this.scheme = scheme;
            this.answer = answer;
            this.thrown = thrown;
        }

        @Override
        public String name() {
            return "fake-" + scheme;
        }

        @Override
        public Set<String> schemes() {
            return Set.of(scheme);
        }

        @Override
        public boolean supports(URI destination) {
            return scheme.equals(destination.getScheme()) && destination.getPath().length() > 1;
        }

        @Override
        public Delivery deliver(Message message) {
            delivered++;
            if (thrown != null) {
                throw thrown;
            }
            return answer;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static Message to(String uri) {
        return Message.builder(new MessageId("g", "b"), URI.create(uri)).build();
    }

    @Test
    void theServiceLoaderFindsTheFourBuiltInConnectors() {
        try (Connectors c = Connectors.builder().addInstalled(ConnectorSettings.of(ConnectorTimeouts.DEFAULTS)).build()) {
            assertThat(c.schemes()).containsExactlyInAnyOrder("http", "https", "amqp", "kafka", "nats");
            assertThat(c.connectorFor(URI.create("KAFKA://h:1/t"))).get().extracting(Connector::name).isEqualTo("kafka");
        }
    }

    @Test
    void anExplicitConnectorWinsOverTheInstalledOneForItsScheme() {
        Fake mine = new Fake("kafka", Delivery.delivered("mine"), null);
        try (Connectors c = Connectors.builder().add(mine)
                .addInstalled(ConnectorSettings.of(ConnectorTimeouts.DEFAULTS)).build()) {
            assertThat(c.deliver(to("kafka://h:1/topic")).detail()).isEqualTo("mine");
            assertThat(c.schemes()).contains("http", "amqp", "nats");
        }
        assertThat(mine.closed).isTrue();
    }

    @Test
    void twoExplicitConnectorsForOneSchemeAreAConfigurationError() {
        assertThatThrownBy(() -> Connectors.builder().add(new Fake("x", null, null)).add(new Fake("x", null, null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("scheme x");
    }

    @Test
    void aSchemeWithoutConnectorIsTryLaterAndAnUnsupportedUriIsRefused() {
        Fake fake = new Fake("x", Delivery.delivered("ok"), null);
        try (Connectors c = Connectors.builder().add(fake).build()) {
            assertThat(c.deliver(to("y://h/p")).status()).isEqualTo(Delivery.Status.TRY_LATER);
            assertThat(c.deliver(to("x://h/")).status()).isEqualTo(Delivery.Status.REFUSED);
            assertThat(c.deliver(to("x://h/p")).status()).isEqualTo(Delivery.Status.DELIVERED);
            assertThat(fake.delivered).isEqualTo(1);
        }
    }

    @Test
    void aConnectorThatThrowsDespiteItsContractIsTryLater() {
        try (Connectors c = Connectors.builder().add(new Fake("x", null, new IllegalStateException("bug"))).build()) {
            Delivery d = c.deliver(to("x://h/p"));
            assertThat(d.status()).isEqualTo(Delivery.Status.TRY_LATER);
            assertThat(d.detail()).contains("bug");
        }
    }

    @Test
    void checkRefusesAnUnusableDestinationNamingTheField() {
        try (Connectors c = Connectors.builder().addInstalled(ConnectorSettings.of(ConnectorTimeouts.DEFAULTS)).build()) {
            c.check(URI.create("kafka://127.0.0.1:9092/orders"));
            c.check(URI.create("amqp://127.0.0.1/ex?routingKey=rk"));
            c.check(URI.create("nats://127.0.0.1/orders.paid"));
            c.check(URI.create("https://pay.example/notify"));
            for (String bad : List.of("kafka://h:1/", "kafka://h:1/a/b", "amqp://u:p@h/ex", "amqp://h/ex?bogus=1",
                    "nats://h/a.*", "nats://h/a..b", "ftp://h/x")) {
                assertThatThrownBy(() -> c.check(URI.create(bad))).as(bad).isInstanceOf(InvalidInputException.class)
                        .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("destination"));
            }
        }
    }
}
