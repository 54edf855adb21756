package dev.pactum.brokers;

import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.remoting.protocol.body.ClusterInfo;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * A RocketMQ 5 name server and one broker in a child JVM, for the tests, the demo and the benchmark: no Docker,
 * nothing downloaded at run time; the jars ({@code rocketmq-namesrv}, {@code rocketmq-broker}) come from this JVM's
 * class path ({@link RocketMqBrokerMain}). Small on purpose: 256 MiB heap, 64 MiB commit-log files, two worker
 * threads, no timer wheel, no topic auto-creation ({@link #createTopic}).
 *
 * <p>Transactional messages are checked back quickly, so that a test sees the broker's check-back within seconds:
 * a half message without its end is checked after {@link #TRANSACTION_TIMEOUT}, scanned every
 * {@link #TRANSACTION_CHECK_INTERVAL}, at most {@code transactionCheckMax} (RocketMQ's default, 15) times.
 *
 * <p>{@link #kill()} and {@link #start()} again restart it on the same ports and store, as a broker restart.
 */
public final class RocketMqBroker implements AutoCloseable {
    /** How old a half message must be before the broker checks it back (RocketMQ's default: 6 s). */
    public static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(2);
    /** How often the broker scans half messages for check-back (RocketMQ's default: 60 s). */
    public static final Duration TRANSACTION_CHECK_INTERVAL = Duration.ofSeconds(1);
    /** The broker's name and its cluster's. */
    public static final String BROKER_NAME = "pactum-broker";
    public static final String CLUSTER_NAME = "pactum-cluster";

    private static final Duration READY_WITHIN = Duration.ofSeconds(90);
    /** JDK 17+ closes what RocketMQ's store reaches into: unmapping direct buffers, the mmap'ed files' cleaner. */
    private static final List<String> JDK_OPENS = List.of(
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens=java.base/java.lang=ALL-UNNAMED",
            "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED",
            "--enable-native-access=ALL-UNNAMED",
            "--sun-misc-unsafe-memory-access=allow");

    private final Path dir;
    private final int namesrvPort;
    private final int brokerPort;
    private final ChildJvm jvm;

    /** A broker that checks transactions back quickly ({@link #TRANSACTION_TIMEOUT}), as the tests want. */
    public RocketMqBroker(Path dir) throws IOException {
        this(dir, TRANSACTION_TIMEOUT, TRANSACTION_CHECK_INTERVAL);
    }

    /**
     * A broker with its own check-back timing. The benchmark passes RocketMQ's defaults (6 s, 30 s): with the tests'
     * quick timing a loaded broker checks back committed messages whose end it has not processed yet, thousands
     * of times in a run, and delivers some twice.
     */
    public RocketMqBroker(Path dir, Duration transactionTimeout, Duration transactionCheckInterval) throws IOException {
        this.dir = dir;
        this.namesrvPort = KafkaBroker.freePort();
        this.brokerPort = freeBrokerPort();
        this.jvm = new ChildJvm("the RocketMQ broker", dir.resolve("broker.log"));
        Path store = dir.resolve("store");
        Files.createDirectories(store);
        Files.writeString(dir.resolve("broker.properties"), String.join("\n",
                "brokerClusterName=" + CLUSTER_NAME,
                "brokerName=" + BROKER_NAME,
                "brokerId=0",
                "brokerIP1=127.0.0.1",
                "listenPort=" + brokerPort,
                // The HA port (listenPort + 1) is RocketMQ's convention; fixed so that a restart finds it again.
                "haListenPort=" + (brokerPort + 1),
                "namesrvAddr=" + nameServerAddress(),
                "autoCreateTopicEnable=false",
                "transactionTimeOut=" + transactionTimeout.toMillis(),
                "transactionCheckInterval=" + transactionCheckInterval.toMillis(),
                // Register with the name server soon after a restart, not after RocketMQ's 30 s.
                "registerNameServerPeriod=2000",
                "storePathRootDir=" + store,
                "storePathCommitLog=" + store.resolve("commitlog"),
                "mappedFileSizeCommitLog=" + (64 << 20),
                "mappedFileSizeConsumeQueue=" + (30_000 * 20),
                "maxHashSlotNum=50000",
                "maxIndexNum=200000",
                "timerWheelEnable=false",
                "transientStorePoolEnable=false",
                // The machine's disk is shared; a broker that refuses writes at 75 % full would fail a test.
                "diskMaxUsedSpaceRatio=95",
                "diskSpaceWarningLevelRatio=98",
                "diskSpaceCleanForciblyRatio=97",
                "sendMessageThreadPoolNums=2",
                "pullMessageThreadPoolNums=4",
                "endTransactionThreadPoolNums=2",
                // A send that waited 200 ms (RocketMQ's default) in the broker's queue is refused as "broker busy":
                // on a shared 2-core machine that happens under a benchmark's load, so wait longer before shedding.
                "waitTimeMillsInSendQueue=3000",
                ""));
    }

    /** The name server's address, {@code 127.0.0.1:port}: a client's {@code setNamesrvAddr}. */
    public String nameServerAddress() {
        return "127.0.0.1:" + namesrvPort;
    }

    /** The broker's own address, {@code 127.0.0.1:port}. */
    public String brokerAddress() {
        return "127.0.0.1:" + brokerPort;
    }

    /** The child JVM's process id (for CPU readings), or -1 when it is not running. */
    public long pid() {
        return jvm.pid();
    }

    /** Starts the child JVM and waits (bounded) until the broker is registered with the name server. */
    public void start() throws IOException, InterruptedException {
        List<String> options = new ArrayList<>(List.of("-Xmx256m", "-Xms64m", "-XX:MaxDirectMemorySize=256m",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k",
                // RocketMQ's logs (~/logs/rocketmqlogs) and any default path stay under dir.
                "-Duser.home=" + dir, "-Drocketmq.log.level=warn",
                // RocketMQ's default TLS mode, permissive, generates a self-signed RSA key at every start: seconds
                // of CPU on a busy machine, for a broker only ever reached over plain TCP on loopback.
                "-Dtls.server.mode=disabled"));
        options.addAll(JDK_OPENS);
        jvm.start(options, RocketMqBrokerMain.class.getName(),
                List.of(Integer.toString(namesrvPort), dir.resolve("broker.properties").toString()));
        Instant deadline = Instant.now().plus(READY_WITHIN);
        while (!registered()) {
            jvm.requireAlive();
            if (Instant.now().isAfter(deadline)) {
                throw jvm.notReady("did not register within " + READY_WITHIN);
            }
            Thread.sleep(300);
        }
    }

    private boolean registered() {
        if (!jvm.alive()) {
            return false;
        }
        DefaultMQAdminExt admin = admin();
        try {
            admin.start();
            ClusterInfo info = admin.examineBrokerClusterInfo();
            BrokerData data = info.getBrokerAddrTable().get(BROKER_NAME);
            return data != null && brokerAddress().equals(data.getBrokerAddrs().get(0L));
        } catch (Exception notYet) {
            return false;
        } finally {
            admin.shutdown();
        }
    }

    /**
     * Creates {@code topic} with {@code queues} read and write queues on the broker, and waits (bounded) until the
     * name server routes it: a producer or consumer started after this call finds it.
     */
    public void createTopic(String topic, int queues) throws Exception {
        DefaultMQAdminExt admin = admin();
        admin.start();
        try {
            Instant deadline = Instant.now().plus(READY_WITHIN);
            boolean created = false;
            Exception last = null;
            while (true) {
                try {
                    if (!created) {
                        // Idempotent, so a call that timed out (a busy machine) is simply made again.
                        admin.createAndUpdateTopicConfig(brokerAddress(), new TopicConfig(topic, queues, queues));
                        created = true;
                    }
                    if (!admin.examineTopicRouteInfo(topic).getQueueDatas().isEmpty()) {
                        return;
                    }
                } catch (Exception notYet) {
                    // the broker registers the topic with the name server on its next heartbeat
                    last = notYet;
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("topic " + topic + (created ? " not routed by the name server"
                            : " not created") + " within " + READY_WITHIN + (last == null ? "" : ": " + last), last);
                }
                Thread.sleep(200);
            }
        } finally {
            admin.shutdown();
        }
    }

    private DefaultMQAdminExt admin() {
        // RocketMQ's own 3 s admin timeout runs out on a busy machine; every call here is retried within a bound.
        DefaultMQAdminExt admin = new DefaultMQAdminExt(10_000);
        admin.setNamesrvAddr(nameServerAddress());
        admin.setInstanceName("pactum-admin-" + UUID.randomUUID());
        admin.setVipChannelEnabled(false);
        return admin;
    }

    /** kill -9 of the child JVM (name server and broker); waits (bounded) until it is gone. */
    public void kill() throws InterruptedException {
        jvm.kill();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    /** A port p with p - 2 (RocketMQ's "fast" remoting port) and p + 1 (its HA port) free as well. */
    private static int freeBrokerPort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int p = KafkaBroker.freePort();
            if (p > 1026 && p < 65534 && free(p - 2) && free(p + 1)) {
                return p;
            }
        }
        throw new IOException("no free port p with p - 2 and p + 1 free after 50 attempts");
    }

    private static boolean free(int port) {
        try (ServerSocket s = new ServerSocket(port)) {
            return true;
        } catch (IOException taken) {
            return false;
        }
    }
}
