package dev.pactum.rocketmq;

import dev.pactum.api.MessageId;
import dev.pactum.brokers.RocketMqBroker;
import dev.pactum.client.inbox.Inbox;
import dev.pactum.client.inbox.InboxResult;
import dev.pactum.client.msg.CheckAnswer;
import dev.pactum.client.msg.SendResult;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link RocketMqProducer} against a real RocketMQ 5.2 name server and broker ({@link dev.pactum.brokers.RocketMqBroker},
 * check-back after 2 s, scanned every second) and H2: the commit, the rollback, the broker's check-back after the
 * producer process died between its local commit and endTransaction, a check while the local transaction is in
 * flight, and the consumer's inbox under a real redelivery.
 */
@Timeout(120)
class RocketMqProducerTest {
    @TempDir
    static Path dir;

    static RocketMqTestKit kit;
    static RocketMqProducer producer;
    static String group;
    static final List<Map.Entry<MessageId, CheckAnswer>> checks = new CopyOnWriteArrayList<>();

    String topic;
    String orders;

    @BeforeAll
    static void startBroker() throws Exception {
        kit = new RocketMqTestKit(dir);
        group = "pactum-test-" + RocketMqTestKit.suffix();
        producer = RocketMqProducer.builder().nameServer(kit.broker.nameServerAddress()).producerGroup(group)
                .dataSource(kit.dataSource).checkLockWait(Duration.ofMillis(500))
                .onCheck((id, answer) -> checks.add(Map.entry(id, answer))).build();
        producer.createSchemaIfMissing();
        // The broker checks a half message back only with producers it has heard from (heartbeats go to the
        // brokers a producer has routes to): one send, so that this JVM's producer can answer for a dead one.
        producer.send(kit.topic(), "warm-up", conn -> { });
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (producer != null) {
            producer.close();
        }
        if (kit != null) {
            kit.close();
        }
    }

    @BeforeEach
    void newTopicAndTable() throws Exception {
        topic = kit.topic();
        orders = "orders_" + RocketMqTestKit.suffix();
        kit.execute("CREATE TABLE " + orders + " (id BIGINT PRIMARY KEY)");
    }

    @Test
    void theMessageIsVisibleOnlyAfterTheLocalCommit() throws Exception {
        DefaultLitePullConsumer consumer = kit.consumer(topic);
        try {
            List<MessageExt> seenInside = new ArrayList<>();
            SendResult r = producer.send(topic, "order 1", conn -> {
                insertOrder(conn, 1);
                // The half message is on the broker now; a consumer must not see it before the commit.
                seenInside.addAll(RocketMqTestKit.poll(consumer, Duration.ofSeconds(2), 1));
            });
            assertThat(seenInside).isEmpty();
            assertThat(r.state()).isEqualTo(SendResult.State.SUBMITTED);

            List<MessageExt> got = RocketMqTestKit.poll(consumer, Duration.ofSeconds(30), 1);
            assertThat(got).hasSize(1);
            MessageExt m = got.get(0);
            assertThat(new String(m.getBody(), StandardCharsets.UTF_8)).isEqualTo("order 1");
            assertThat(RocketMqMessages.messageId(m)).isEqualTo(new MessageId(r.gid(), r.branchId()));
            assertThat(m.getKeys()).isEqualTo(r.gid() + "/" + r.branchId());
            assertThat(kit.count("SELECT count(*) FROM " + orders)).isEqualTo(1);
            assertThat(producer.check(r.gid(), r.branchId())).isEqualTo(CheckAnswer.COMMITTED);
        } finally {
            consumer.shutdown();
        }
    }

    @Test
    void aRolledBackLocalTransactionsMessageIsNeverVisible() throws Exception {
        DefaultLitePullConsumer consumer = kit.consumer(topic);
        try {
            IllegalStateException boom = new IllegalStateException("out of stock");
            assertThatThrownBy(() -> producer.send(topic, "order 2", conn -> {
                insertOrder(conn, 2);
                throw boom;
            })).isSameAs(boom);
            assertThat(kit.count("SELECT count(*) FROM " + orders)).isZero();
            // Longer than the broker's check timeout and interval: had the rollback been lost, a check would have
            // come and answered from the row (none: ROLLBACK); either way nothing may be delivered.
            Duration window = RocketMqBroker.TRANSACTION_TIMEOUT.plus(RocketMqBroker.TRANSACTION_CHECK_INTERVAL)
                    .plus(Duration.ofSeconds(2));
            assertThat(RocketMqTestKit.poll(consumer, window, 1)).isEmpty();
        } finally {
            consumer.shutdown();
        }
    }

    @Test
    void theBrokersCheckBackCommitsTheMessageOfAProducerThatDiedAfterItsLocalCommit() throws Exception {
        DefaultLitePullConsumer consumer = kit.consumer(topic);
        try {
            long order = 3;
            Process child = new ProcessBuilder(javaCommand(CrashingProducerMain.class.getName(),
                    kit.broker.nameServerAddress(), group, kit.jdbcUrl, topic, orders, Long.toString(order)))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("crashing-producer-" + RocketMqTestKit.suffix() + ".log").toFile())
                    .start();
            assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the producer process ended").isTrue();
            assertThat(child.exitValue()).as("halted by the failpoint, after its local commit").isEqualTo(137);
            assertThat(kit.count("SELECT count(*) FROM " + orders)).isEqualTo(1);

            // No endTransaction came: the broker checks the half message back with the group's live producer
            // (this JVM's), which finds the committed row.
            List<MessageExt> got = RocketMqTestKit.poll(consumer, Duration.ofSeconds(60), 1);
            assertThat(got).hasSize(1);
            MessageId id = RocketMqMessages.messageId(got.get(0));
            assertThat(new String(got.get(0).getBody(), StandardCharsets.UTF_8)).isEqualTo("order " + order);
            assertThat(checks).contains(Map.entry(id, CheckAnswer.COMMITTED));
            assertThat(checks).filteredOn(c -> c.getKey().equals(id)).extracting(Map.Entry::getValue)
                    .containsOnly(CheckAnswer.COMMITTED);
            // RocketMQ is at least once here too: every check re-stores the half message, and two checks answered
            // COMMIT (the second before the first's end reached the broker) commit two copies. Any copy is this
            // message, with its identity, for the inbox to apply once.
            assertThat(RocketMqTestKit.poll(consumer, Duration.ofSeconds(3), 10))
                    .allSatisfy(copy -> assertThat(RocketMqMessages.messageId(copy)).isEqualTo(id));
        } finally {
            consumer.shutdown();
        }
    }

    @Test
    void aCheckWhileTheLocalTransactionIsInFlightAnswersUnknowNotRollback() throws Exception {
        DefaultLitePullConsumer consumer = kit.consumer(topic);
        ExecutorService sender = Executors.newSingleThreadExecutor();
        try {
            int before = checks.size();
            CountDownLatch checkedInFlight = new CountDownLatch(1);
            Future<SendResult> sent = sender.submit(() -> producer.send(topic, "order 4", conn -> {
                insertOrder(conn, 4);
                // Hold the transaction (and its barrier row, uncommitted) until the broker has checked it back.
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < deadline && checks.subList(before, checks.size()).stream()
                        .noneMatch(c -> c.getValue() == CheckAnswer.UNKNOWN)) {
                    Thread.sleep(100);
                }
                checkedInFlight.countDown();
            }));
            SendResult r = sent.get(60, TimeUnit.SECONDS);
            assertThat(checkedInFlight.getCount()).isZero();
            List<Map.Entry<MessageId, CheckAnswer>> ours = checks.subList(before, checks.size()).stream()
                    .filter(c -> c.getKey().gid().equals(r.gid())).toList();
            assertThat(ours).as("the broker's checks of the in-flight message").isNotEmpty()
                    .allMatch(c -> c.getValue() != CheckAnswer.ROLLED_BACK)
                    .anyMatch(c -> c.getValue() == CheckAnswer.UNKNOWN);
            assertThat(r.state()).isEqualTo(SendResult.State.SUBMITTED);
            List<MessageExt> got = RocketMqTestKit.poll(consumer, Duration.ofSeconds(30), 1);
            assertThat(got).hasSize(1);
            assertThat(RocketMqMessages.messageId(got.get(0)).gid()).isEqualTo(r.gid());
        } finally {
            sender.shutdownNow();
            consumer.shutdown();
        }
    }

    @Test
    void theConsumersInboxAppliesARedeliveredMessageOnce() throws Exception {
        Inbox inbox = Inbox.forDataSource(kit.dataSource).forConsumer("payments-" + RocketMqTestKit.suffix());
        inbox.createSchemaIfMissing();
        String payments = "payments_" + RocketMqTestKit.suffix();
        kit.execute("CREATE TABLE " + payments + " (id BIGINT AUTO_INCREMENT PRIMARY KEY, body VARCHAR(100))");
        List<InboxResult> results = new CopyOnWriteArrayList<>();
        Map<String, AtomicInteger> deliveries = new ConcurrentHashMap<>();
        CountDownLatch appliedTwiceOrMore = new CountDownLatch(2);
        String consumerGroup = "pactum-test-" + RocketMqTestKit.suffix();
        // The broker makes a group's retry topic at the first redelivery and routes it only at its next
        // registration (every 10 s or more): made now, the redelivery is pulled within about a second.
        kit.broker.createTopic(MixAll.getRetryTopic(consumerGroup), 1);
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer(consumerGroup);
        consumer.setNamesrvAddr(kit.broker.nameServerAddress());
        consumer.setInstanceName(UUID.randomUUID().toString());
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.subscribe(topic, "*");
        consumer.registerMessageListener((MessageListenerConcurrently) (msgs, context) -> {
            for (MessageExt m : msgs) {
                String body = new String(m.getBody(), StandardCharsets.UTF_8);
                results.add(inbox.apply(RocketMqMessages.messageId(m), conn -> {
                    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO " + payments + " (body) VALUES (?)")) {
                        ps.setString(1, body);
                        ps.executeUpdate();
                    }
                }));
                appliedTwiceOrMore.countDown();
                if (deliveries.computeIfAbsent(m.getMsgId(), k -> new AtomicInteger()).incrementAndGet() == 1) {
                    // Applied, but the acknowledgement "is lost": RocketMQ redelivers it (delay level 1: 1 s).
                    context.setDelayLevelWhenNextConsume(1);
                    return ConsumeConcurrentlyStatus.RECONSUME_LATER;
                }
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        consumer.start();
        try {
            producer.send(topic, "pay order 5", conn -> insertOrder(conn, 5));
            assertThat(appliedTwiceOrMore.await(60, TimeUnit.SECONDS)).as("delivered twice").isTrue();
            assertThat(results).startsWith(InboxResult.APPLIED, InboxResult.ALREADY_APPLIED);
            assertThat(kit.count("SELECT count(*) FROM " + payments)).isEqualTo(1);
        } finally {
            consumer.shutdown();
        }
    }

    private void insertOrder(Connection conn, long id) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO " + orders + " (id) VALUES (?)")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
    }

    private static List<String> javaCommand(String mainClass, String... args) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Drocketmq.log.root=" + dir.resolve("child-logs"), "-cp", System.getProperty("java.class.path"),
                mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
