package dev.pactum.rocketmq;

import com.zaxxer.hikari.HikariDataSource;

import java.sql.PreparedStatement;

/**
 * A producer process that dies between its local commit and RocketMQ's endTransaction: the failpoint halts the JVM
 * (no shutdown hooks, no endTransaction, sockets closed by the kernel, as kill -9 would leave them).
 *
 * <p>Arguments: name server, producer group, JDBC URL, topic, orders table, order id.
 */
public final class CrashingProducerMain {
    private CrashingProducerMain() {
    }

    public static void main(String[] args) {
        String nameServer = args[0];
        String group = args[1];
        String jdbcUrl = args[2];
        String topic = args[3];
        String orders = args[4];
        long order = Long.parseLong(args[5]);
        HikariDataSource ds = RocketMqTestKit.pool(jdbcUrl, 1);
        RocketMqProducer producer = RocketMqProducer.builder().nameServer(nameServer).producerGroup(group)
                .dataSource(ds).afterLocalCommit(() -> {
                    System.out.println("committed locally; halting before endTransaction");
                    System.out.flush();
                    Runtime.getRuntime().halt(137);
                }).build();
        producer.send(topic, "order " + order, conn -> {
            try (PreparedStatement ps = conn.prepareStatement("INSERT INTO " + orders + " (id) VALUES (?)")) {
                ps.setLong(1, order);
                ps.executeUpdate();
            }
        });
        System.out.println("unreachable: endTransaction was sent");
        System.exit(2);
    }
}
