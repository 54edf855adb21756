package dev.pactum.brokers;

import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The launcher starts a real name server and broker: one message sent and consumed, then again after kill -9. */
class RocketMqBrokerTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void sendsAndConsumesOneMessageAndSurvivesARestart() throws Exception {
        System.setProperty("rocketmq.log.root", dir.resolve("client-logs").toString());
        String topic = "pactum-broker-test-" + UUID.randomUUID().toString().substring(0, 8);
        try (RocketMqBroker broker = new RocketMqBroker(dir)) {
            broker.start();
            broker.createTopic(topic, 1);
            assertThat(sendOne(broker, topic, "hello")).isEqualTo(SendStatus.SEND_OK);
            assertThat(consume(broker, topic, 1)).containsExactly("hello");

            broker.kill();
            broker.start();
            assertThat(sendOne(broker, topic, "again")).isEqualTo(SendStatus.SEND_OK);
            assertThat(consume(broker, topic, 2)).containsExactly("hello", "again");
        }
    }

    private static SendStatus sendOne(RocketMqBroker broker, String topic, String body) throws Exception {
        DefaultMQProducer producer = new DefaultMQProducer("pactum-test-producer-" + UUID.randomUUID());
        producer.setNamesrvAddr(broker.nameServerAddress());
        producer.setInstanceName(UUID.randomUUID().toString());
        producer.setSendMsgTimeout(5000);
        producer.start();
        try {
            SendResult r = producer.send(new Message(topic, body.getBytes(StandardCharsets.UTF_8)));
            return r.getSendStatus();
        } finally {
            producer.shutdown();
        }
    }

    /** Every body in the topic from its start, by a new group; waits (bounded) until {@code expected} arrived. */
    private static List<String> consume(RocketMqBroker broker, String topic, int expected) throws Exception {
        DefaultLitePullConsumer consumer = new DefaultLitePullConsumer("pactum-test-" + UUID.randomUUID());
        consumer.setNamesrvAddr(broker.nameServerAddress());
        consumer.setInstanceName(UUID.randomUUID().toString());
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.subscribe(topic, "*");
        consumer.start();
        List<String> bodies = new ArrayList<>();
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        try {
            while (bodies.size() < expected && Instant.now().isBefore(deadline)) {
                for (MessageExt m : consumer.poll(1000)) {
                    bodies.add(new String(m.getBody(), StandardCharsets.UTF_8));
                }
            }
        } finally {
            consumer.shutdown();
        }
        return bodies;
    }
}
