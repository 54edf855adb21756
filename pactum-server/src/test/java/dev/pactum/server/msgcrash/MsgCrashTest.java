package dev.pactum.server.msgcrash;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

/**
 * Invariant 4 with real processes killed for real, on each transport: the coordinator killed with kill -9 under
 * load (twice in the HTTP run, once in the others: each restart costs seconds of CI time), the producer halted between its local commit and its submit, the broker taken away mid-stream,
 * duplicates delivered on purpose; then {@link HistoryChecker} over what the databases and the coordinator recorded
 * ({@link MsgCrashRun} has the plan). Needs the machine's PostgreSQL, RabbitMQ and NATS; Kafka is started by the
 * test. The seed of a run is printed; {@code -Dpactum.msgcrash.seed=N} replays its plan.
 */
class MsgCrashTest {
    /** A few hundred per transport: enough for every fault to land under load, small enough for CI. */
    private static final int MESSAGES = 200;

    @TempDir
    Path dir;

    private MsgCrashRun embedded(String name, int coordinatorKills) {
        return new MsgCrashRun(name, MESSAGES, coordinatorKills, List.of("--data", dir.resolve("store").toString()),
                dir);
    }

    @Test
    void http() throws Exception {
        embedded("http", 2).run(HttpTransport::new);
    }

    @Test
    void rabbitmq() throws Exception {
        embedded("rabbitmq", 1).run(RabbitTransport::new);
    }

    @Test
    void nats() throws Exception {
        embedded("nats", 1).run(NatsTransport::new);
    }

    @Test
    void kafka() throws Exception {
        Path kafkaDir = java.nio.file.Files.createDirectories(dir.resolve("kafka"));
        embedded("kafka", 1).run(ledger -> new KafkaTransport(kafkaDir, ledger));
    }

    /** The same run with the coordinator on the JDBC store (PostgreSQL), over HTTP. */
    @Test
    void httpOnThePostgresqlStore() throws Exception {
        String schema = "mc_store_" + Long.toHexString(System.nanoTime());
        MsgCrashRun.execute("CREATE SCHEMA " + schema);
        try {
            new MsgCrashRun("http-jdbc-store", MESSAGES, 1, List.of("--data", dir.resolve("unused").toString(),
                    "--store-url", MsgCrashRun.PG_URL + "?currentSchema=" + schema, "--store-user", "postgres"), dir)
                    .run(HttpTransport::new);
        } finally {
            MsgCrashRun.execute("DROP SCHEMA " + schema + " CASCADE");
        }
    }
}
