package dev.pactum.api;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageIdTest {
    @Test
    void wireFormParsesBackToTheSameId() {
        MessageId id = new MessageId("order-42", "pay/1");
        assertThat(id.wire()).isEqualTo("order-42/pay/1");
        assertThat(MessageId.parse(id.wire())).isEqualTo(id);
    }

    @Test
    void aGidWithASlashIsRefusedSinceTheWireFormWouldBeAmbiguous() {
        assertThatThrownBy(() -> new MessageId("a/b", "c")).isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("gid"));
    }

    @Test
    void headersGiveTheIdAndAMissingOneNamesTheHeader() {
        assertThat(MessageId.fromHeaders(Map.of(Headers.GID, "g", Headers.BRANCH_ID, "b")::get))
                .isEqualTo(new MessageId("g", "b"));
        assertThatThrownBy(() -> MessageId.fromHeaders(Map.of(Headers.GID, "g")::get))
                .isInstanceOf(InvalidInputException.class)
                .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo(Headers.BRANCH_ID));
    }

    @Test
    void partsMustBeShortPrintableAscii() {
        assertThatThrownBy(() -> new MessageId("g", "with space")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new MessageId("x".repeat(MessageId.MAX_ID_LENGTH + 1), "b"))
                .isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> new MessageId("", "b")).isInstanceOf(InvalidInputException.class);
        assertThatThrownBy(() -> MessageId.parse("no-slash")).isInstanceOf(InvalidInputException.class);
        assertThat(new MessageId("x".repeat(MessageId.MAX_ID_LENGTH), "b").gid()).hasSize(MessageId.MAX_ID_LENGTH);
    }
}
