package dev.pactum.rocketmq;

import dev.pactum.api.InvalidInputException;
import dev.pactum.client.barrier.BarrierDialect;
import org.apache.rocketmq.common.message.Message;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Validation without a broker: RocketMQ's producer starts without connecting, so nothing here needs one. */
class RocketMqProducerBuilderTest {
    @Test
    void badSettingsAreRejectedByTheSetterNamingThem() {
        RocketMqProducer.Builder b = RocketMqProducer.builder();
        assertThatThrownBy(() -> b.nameServer("localhost")).hasMessageContaining("nameServer");
        assertThatThrownBy(() -> b.nameServer("a:1;")).hasMessageContaining("nameServer");
        assertThatThrownBy(() -> b.producerGroup("bad group")).hasMessageContaining("producerGroup");
        assertThatThrownBy(() -> b.checkLockWait(Duration.ZERO)).hasMessageContaining("checkLockWait");
        assertThatThrownBy(() -> b.sendTimeout(Duration.ofMillis(-1))).hasMessageContaining("sendTimeout");
        assertThatThrownBy(() -> b.branchId("has space")).hasMessageContaining("branchId");
        b.nameServer("a:9876;b:9876").producerGroup("orders").branchId("pay-1");
    }

    @Test
    void whatIsMissingIsNamedAtBuild() {
        assertThatThrownBy(() -> RocketMqProducer.builder().build()).hasMessage("nameServer is required");
        assertThatThrownBy(() -> RocketMqProducer.builder().nameServer("a:1").build())
                .hasMessage("producerGroup is required");
        assertThatThrownBy(() -> RocketMqProducer.builder().nameServer("a:1").producerGroup("g").build())
                .hasMessage("dataSource is required");
    }

    @Test
    void aBadTopicIsRefusedBeforeAnythingRuns() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:builder" + RocketMqTestKit.suffix() + ";DB_CLOSE_DELAY=-1");
        try (RocketMqProducer producer = RocketMqProducer.builder().nameServer("127.0.0.1:1")
                .producerGroup("builder-" + RocketMqTestKit.suffix()).dataSource(ds).build()) {
            assertThat(producer.toString()).contains("dialect=" + BarrierDialect.H2);
            assertThatThrownBy(() -> producer.send("no spaces allowed", "x", conn -> { }))
                    .isInstanceOf(InvalidInputException.class).hasMessageContaining("topic");
            assertThatThrownBy(() -> producer.send(null, "x", conn -> { })).isInstanceOf(InvalidInputException.class);
        }
    }

    @Test
    void aMessageWithoutItsPropertiesHasNoIdentity() {
        assertThatThrownBy(() -> RocketMqMessages.messageId(new Message("t", new byte[0])))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining(RocketMqMessages.GID);
        Message m = new Message("t", new byte[0]);
        m.putUserProperty(RocketMqMessages.GID, "g1");
        assertThatThrownBy(() -> RocketMqMessages.messageId(m)).hasMessageContaining(RocketMqMessages.BRANCH_ID);
        m.putUserProperty(RocketMqMessages.BRANCH_ID, "b1");
        assertThat(RocketMqMessages.messageId(m).wire()).isEqualTo("g1/b1");
    }
}
