package dev.pactum.bench;

import dev.pactum.brokers.RocketMqBroker;
import dev.pactum.client.msg.SendResult;
import dev.pactum.rocketmq.RocketMqMessages;
import dev.pactum.rocketmq.RocketMqProducer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * RocketMQ's own transactional send (issue 8, item 4): {@link RocketMqProducer#send}, backed by RocketMQ's
 * {@code TransactionMQProducer} (half message to the broker, the local transaction with the same order row and
 * barrier row as Pactum's side, then RocketMQ's one-way {@code endTransaction}), on a name server and broker of
 * its own ({@link RocketMqBroker}, a child JVM). A push consumer of the topic records receipts by the message's
 * {@link RocketMqMessages#GID} property.
 */
final class RocketMqSide implements MsgSide {
    private final RocketMqBroker broker;
    private final RocketMqProducer producer;
    private final DefaultMQPushConsumer consumer;
    private final String topic = MsgDestination.runName("pactum_bench_");
    private final String payload;
    private final AtomicLong seq = new AtomicLong();
    private final LongAdder checks = new LongAdder();

    RocketMqSide(Path dir, ProducerDatabase db, String payload, Consumer<String> onReceipt) throws Exception {
        this.payload = payload;
        // RocketMQ 5's own check-back timing, as a user's broker would run (the tests' launcher checks back in 2 s).
        broker = new RocketMqBroker(Files.createDirectories(dir.resolve("rocketmq")), Duration.ofSeconds(6),
                Duration.ofSeconds(30));
        try {
            broker.start();
            broker.createTopic(topic, 4);
            producer = RocketMqProducer.builder().nameServer(broker.nameServerAddress())
                    .producerGroup(topic + "_producer").dataSource(db.dataSource())
                    .onCheck((id, answer) -> checks.increment()).build();
            consumer = new DefaultMQPushConsumer(topic + "_consumer");
            consumer.setNamesrvAddr(broker.nameServerAddress());
            consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
            consumer.subscribe(topic, "*");
            consumer.registerMessageListener((MessageListenerConcurrently) (messages, context) -> {
                for (MessageExt m : messages) {
                    String id = m.getUserProperty(RocketMqMessages.GID);
                    if (id != null) {
                        onReceipt.accept(id);
                    }
                }
                return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
            });
            consumer.start();
        } catch (Exception | Error e) {
            broker.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return "rocketmq transactional";
    }

    @Override
    public long checkBacks() {
        return checks.sum();
    }

    @Override
    public long serverPid() {
        return broker.pid();
    }

    @Override
    public String describe() {
        return "RocketMqProducer (TransactionMQProducer, the same order row and barrier row) to topic " + topic
                + " on a RocketMQ name server and broker of its own, read by a DefaultMQPushConsumer";
    }

    @Override
    public String send() {
        String order = "rocketmq-" + seq.incrementAndGet();
        SendResult r = producer.send(topic, payload, conn -> ProducerDatabase.insertOrder(conn, order));
        if (r.state() != SendResult.State.SUBMITTED) {
            throw new IllegalStateException("message " + r.gid() + " was " + r.state() + ": " + r.detail());
        }
        return r.gid();
    }

    @Override
    public void close() throws Exception {
        try {
            consumer.shutdown();
            producer.close();
        } finally {
            broker.close();
        }
    }
}
