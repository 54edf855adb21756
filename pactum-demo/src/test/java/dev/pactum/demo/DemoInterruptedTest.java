package dev.pactum.demo;

import dev.pactum.api.TransactionList;
import dev.pactum.api.TransactionView;
import dev.pactum.client.PactumClient;
import dev.pactum.client.xa.XaIds;
import dev.pactum.server.ServerMain;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 6, item 1: a Ctrl-C of the XA demo left a prepared branch behind in PostgreSQL, holding its row locks,
 * with no participant left to recover it (the demo stopped the coordinator first). Here the XA demo runs as a
 * process of its own, as {@code ./pactum demo --pattern xa} does, and gets a SIGTERM in the middle of its
 * concurrent batch, at a moment when a branch of it is prepared. Afterwards none of its processes may be left,
 * and none of its transactions may have a branch left prepared ({@code pg_prepared_xacts}, {@code XA RECOVER}).
 * The run's gids are read back from the coordinator's own store (a coordinator started again on its data).
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DemoInterruptedTest {
    private static final Duration START = Duration.ofSeconds(120);
    private static final Duration EXIT = DemoStop.DRAIN.plusSeconds(60);

    @TempDir
    Path work;

    @Test
    void xaDemoStoppedBySigtermMidBatchLeavesNothingPreparedAndNoProcessBehind() throws Exception {
        Path output = work.resolve("demo.out");
        Instant started = Instant.now().minusSeconds(1);
        Process demo = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                DemoCommand.class.getName(), "--pattern", "xa", "--orders", "36", "--work-dir", work.toString())
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();
        List<ProcessHandle> children = new ArrayList<>();
        List<String> left = List.of();
        try {
            awaitOutput(demo, output, "2. ", START);
            awaitPreparedPaymentBranch(started, Duration.ofSeconds(30)); // the moment the issue hit
            children.addAll(demo.descendants().toList());
            assertThat(children).as("the coordinator and the three services").hasSizeGreaterThanOrEqualTo(4);

            demo.destroy(); // SIGTERM, as timeout(1) or a service manager sends it
            assertThat(demo.waitFor(EXIT.toSeconds(), TimeUnit.SECONDS)).as("the demo exits within %s; output:%n%s",
                    EXIT, read(output)).isTrue();
            for (ProcessHandle c : children) {
                c.onExit().get(20, TimeUnit.SECONDS); // bounded: fails with a TimeoutException if one lingers
            }
            left = leftPrepared();
            assertThat(left).as("branches of the run left prepared; demo output:%n%s", read(output)).isEmpty();
        } finally {
            System.out.println(read(output));
            demo.destroyForcibly();
            children.forEach(ProcessHandle::destroyForcibly);
            rollBack(left); // never leave locks behind for the next run on this machine
        }
    }

    /** The run's transactions, from a coordinator started again on the demo's store, and what is still prepared. */
    private List<String> leftPrepared() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ChildProcess coordinator = ChildProcess.start("coordinator-after", work.resolve("logs"),
                ServerMain.class.getName(), List.of("--port", Integer.toString(port), "--data",
                        work.resolve("coordinator").toString()));
        Set<String> gids = new HashSet<>();
        try {
            String url = "http://127.0.0.1:" + port;
            coordinator.awaitHealthy(url + "/health", START);
            try (PactumClient pactum = PactumClient.connect(URI.create(url))) {
                String after = null;
                do {
                    TransactionList page = pactum.list(null, after, 100);
                    page.transactions().stream().map(TransactionView::gid).forEach(gids::add);
                    after = page.next();
                } while (after != null);
            }
        } finally {
            coordinator.close();
        }
        assertThat(gids).as("the run's transactions").hasSizeGreaterThan(1);
        return PreparedXids.left(List.of(DemoCommand.XA_POSTGRES, DemoCommand.XA_MARIADB), gids);
    }

    private static void awaitOutput(Process p, Path output, String text, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (!read(output).contains(text)) {
            assertThat(p.isAlive()).as("the demo died; output:%n%s", read(output)).isTrue();
            assertThat(System.nanoTime() < deadline).as("no '%s' within %s; output:%n%s", text, max, read(output))
                    .isTrue();
            Thread.sleep(100);
        }
    }

    /** Waits (bounded) until a payment branch prepared since the demo began is listed; goes on if none shows. */
    private static void awaitPreparedPaymentBranch(Instant since, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        String payment = XaIds.postgresGid("x", "payment");
        String suffix = payment.substring(payment.lastIndexOf('_')); // the Base64 of the branch id
        try (Connection c = DriverManager.getConnection(DemoCommand.XA_POSTGRES, "postgres", null);
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_prepared_xacts"
                     + " WHERE gid LIKE ? AND gid LIKE ? AND prepared >= ?")) {
            ps.setString(1, XaIds.FORMAT_ID + "\\_%");
            ps.setString(2, "%" + suffix);
            ps.setTimestamp(3, Timestamp.from(since));
            while (System.nanoTime() < deadline) {
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next() && rs.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
    }

    /** Rolls back, with SQL, what the run left prepared ("database: gid/branch" lines of PreparedXids). */
    private static void rollBack(List<String> left) throws SQLException {
        for (String line : left) {
            String[] ids = line.substring(line.lastIndexOf(": ") + 2).split("/", 2);
            boolean postgres = line.startsWith("PostgreSQL");
            try (Connection c = DriverManager.getConnection(postgres ? DemoCommand.XA_POSTGRES
                    : DemoCommand.XA_MARIADB, postgres ? "postgres" : "root", null);
                 Statement st = c.createStatement()) {
                st.execute(postgres ? "ROLLBACK PREPARED '" + XaIds.postgresGid(ids[0], ids[1]) + "'"
                        : "XA ROLLBACK " + XaIds.mysqlXid(ids[0], ids[1]));
            }
        }
    }

    private static String read(Path p) throws IOException {
        return Files.exists(p) ? Files.readString(p, StandardCharsets.UTF_8) : "";
    }
}
