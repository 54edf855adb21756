package dev.pactum.client.msg;

import dev.pactum.api.InvalidInputException;
import dev.pactum.client.PactumClient;
import dev.pactum.client.barrier.BarrierDialect;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The producer's configuration is validated at once, and the check endpoint's input before any SQL runs. */
class MessageProducerBuilderTest {
    private final PactumClient client = PactumClient.connect(URI.create("http://127.0.0.1:1"));
    private final JdbcDataSource dataSource = new JdbcDataSource();

    MessageProducerBuilderTest() {
        dataSource.setURL("jdbc:h2:mem:builder;DB_CLOSE_DELAY=-1");
    }

    @AfterEach
    void close() {
        client.close();
    }

    MessageProducer.Builder valid() {
        return MessageProducer.builder().client(client).dataSource(dataSource)
                .checkUrl(URI.create("http://127.0.0.1:8080/check")).checkTimeout(Duration.ofSeconds(5));
    }

    @Test
    void badValuesAreRejectedByTheSetterNamingThem() {
        assertThatThrownBy(() -> valid().checkUrl(URI.create("ftp://host/check")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("checkUrl");
        assertThatThrownBy(() -> valid().checkUrl(URI.create("/check")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("checkUrl");
        assertThatThrownBy(() -> valid().checkUrl(URI.create("http://user:secret@host/check")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("credentials");
        assertThatThrownBy(() -> valid().checkTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("checkTimeout");
        assertThatThrownBy(() -> valid().checkLockWait(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("checkLockWait");
        assertThatThrownBy(() -> valid().branchId("has space"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("branchId");
    }

    @Test
    void missingSettingsAreNamedAtBuild() {
        assertThatThrownBy(() -> MessageProducer.builder().dataSource(dataSource).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("client is required");
        assertThatThrownBy(() -> MessageProducer.builder().client(client).dataSource(dataSource)
                .checkUrl(URI.create("http://h/c")).build())
                .isInstanceOf(IllegalStateException.class).hasMessage("checkTimeout is required");
    }

    @Test
    void theDialectIsReadFromTheDataSource() {
        assertThat(valid().build().dialect()).isEqualTo(BarrierDialect.H2);
    }

    @Test
    void checkFromHeadersRejectsAMissingOrWrongHeaderNamingIt() {
        MessageProducer producer = valid().dialect(BarrierDialect.H2).build();
        assertThatThrownBy(() -> producer.checkFromHeaders(Map.of("Pactum-Gid", "g", "Pactum-Branch-Id", "b",
                "Pactum-Op", "confirm")::get))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("Pactum-Op"));
        assertThatThrownBy(() -> producer.checkFromHeaders(Map.of("Pactum-Branch-Id", "b", "Pactum-Op", "check")::get))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("Pactum-Gid"));
        assertThatThrownBy(() -> producer.check("g", "with space"))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("branchId"));
    }

    @Test
    void sendRejectsAMissingDestinationBeforeCallingTheCoordinator() {
        MessageProducer producer = valid().dialect(BarrierDialect.H2).build();
        assertThatThrownBy(() -> producer.send(" ", "x", conn -> { }))
                .isInstanceOfSatisfying(InvalidInputException.class, e -> assertThat(e.field()).isEqualTo("destination"));
    }

    @Test
    void anOutgoingMessageChecksItsKeyAndHeadersByTheCoordinatorsRulesNamingTheField() {
        OutgoingMessage m = OutgoingMessage.to("kafka://b:9092/t", "{}").key("order-1").header("type", "paid");
        assertThat(m.deliver()).isEqualTo(new dev.pactum.api.Operation("deliver", "kafka://b:9092/t", "{}", "order-1",
                Map.of("type", "paid")));
        assertThat(OutgoingMessage.to("kafka://b:9092/t", "{}").deliver().headers()).as("none is absent").isNull();
        for (Object[] bad : new Object[][]{
                {(Runnable) () -> m.key(""), "key"},
                {(Runnable) () -> m.key("k".repeat(1025)), "key"},
                {(Runnable) () -> m.header("Pactum-Gid", "x"), "headers.Pactum-Gid"},
                {(Runnable) () -> m.header("TYPE", "again"), "headers.TYPE"},
                {(Runnable) () -> m.header("a b", "x"), "headers"},
                {(Runnable) () -> m.header("a", "line\nbreak"), "headers.a"},
                {(Runnable) () -> OutgoingMessage.to("", "{}"), "destination"},
                {(Runnable) () -> OutgoingMessage.to("kafka://b/t", "p".repeat(32 * 1024 + 1)), "payload"}}) {
            assertThatThrownBy(((Runnable) bad[0])::run).isInstanceOfSatisfying(InvalidInputException.class,
                    e -> assertThat(e.field()).isEqualTo(bad[1]));
        }
    }
}
