package dev.pactum.brokers;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The main class of the child JVM that {@link KafkaBroker} starts: a single-node KRaft broker and controller from
 * Kafka's own Maven Central jar ({@code kafka_2.13}). Formats the log directory on first start (as
 * {@code kafka-storage.sh format} does), then runs {@code kafka.Kafka} as {@code kafka-server-start.sh} would, until
 * killed.
 *
 * <p>Arguments: the server properties file, the cluster id.
 */
public final class KafkaBrokerMain {
    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws Exception {
        // Never outlive the test JVM, even one killed without running its shutdown hooks.
        ProcessHandle.current().parent().ifPresent(p -> p.onExit().thenRun(() -> Runtime.getRuntime().halt(0)));
        Path properties = Path.of(args[0]);
        String clusterId = args[1];
        Path formatted = properties.resolveSibling("formatted");
        if (!Files.exists(formatted)) {
            int rc = kafka.tools.StorageTool.execute(new String[] {"format", "-c", properties.toString(), "-t", clusterId},
                    new PrintStream(System.out, true));
            if (rc != 0) {
                System.err.println("kafka-storage format failed: " + rc);
                System.exit(rc);
            }
            Files.createFile(formatted);
        }
        kafka.Kafka.main(new String[] {properties.toString()});
    }
}
