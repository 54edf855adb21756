package dev.pactum.rocketmq;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pactum.brokers.RocketMqBroker;
import org.apache.rocketmq.client.consumer.DefaultLitePullConsumer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;
import org.h2.tools.Server;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One RocketMQ broker and one H2 database per test class. The database is served over TCP so that a producer in a
 * child JVM (the crash test) shares it with the test.
 */
final class RocketMqTestKit implements AutoCloseable {
    final RocketMqBroker broker;
    final Server h2;
    final String jdbcUrl;
    final HikariDataSource dataSource;

    RocketMqTestKit(Path dir) throws Exception {
        System.setProperty("rocketmq.log.root", dir.resolve("client-logs").toString());
        broker = new RocketMqBroker(dir);
        broker.start();
        h2 = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
        jdbcUrl = "jdbc:h2:tcp://127.0.0.1:" + h2.getPort() + "/mem:rmq" + suffix() + ";DB_CLOSE_DELAY=-1";
        dataSource = pool(jdbcUrl, 8);
    }

    static HikariDataSource pool(String jdbcUrl, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setUsername("sa");
        config.setMaximumPoolSize(size);
        return new HikariDataSource(config);
    }

    static String suffix() {
        return UUID.randomUUID().toString().substring(0, 8);
    }

    /** A new topic with one queue, routed before this returns. */
    String topic() throws Exception {
        String topic = "pactum-rmq-" + suffix();
        broker.createTopic(topic, 1);
        return topic;
    }

    void execute(String sql) throws SQLException {
        try (Connection conn = dataSource.getConnection(); Statement st = conn.createStatement()) {
            st.execute(sql);
        }
    }

    long count(String sql) throws SQLException {
        try (Connection conn = dataSource.getConnection(); Statement st = conn.createStatement();
             var rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** A pull consumer of {@code topic} from its first offset, in a group of its own. */
    DefaultLitePullConsumer consumer(String topic) throws Exception {
        DefaultLitePullConsumer consumer = new DefaultLitePullConsumer("pactum-test-" + suffix());
        consumer.setNamesrvAddr(broker.nameServerAddress());
        consumer.setInstanceName(UUID.randomUUID().toString());
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.subscribe(topic, "*");
        consumer.start();
        return consumer;
    }

    /** What the consumer gets within {@code within}, stopping early once {@code enough} arrived. */
    static List<MessageExt> poll(DefaultLitePullConsumer consumer, Duration within, int enough) {
        List<MessageExt> got = new ArrayList<>();
        Instant deadline = Instant.now().plus(within);
        while (got.size() < enough && Instant.now().isBefore(deadline)) {
            got.addAll(consumer.poll(500));
        }
        return got;
    }

    @Override
    public void close() throws Exception {
        dataSource.close();
        h2.stop();
        broker.close();
    }
}
