package dev.pactum.server;

import com.sun.net.httpserver.HttpServer;
import dev.pactum.api.BeginRequest;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.BranchStatus;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.Headers;
import dev.pactum.api.TransactionView;
import dev.pactum.api.TxPattern;
import dev.pactum.client.PactumClient;
import dev.pactum.client.XaTransaction;
import dev.pactum.client.xa.RecoveryReport;
import dev.pactum.client.xa.XaIds;
import dev.pactum.client.xa.XaParticipant;
import dev.pactum.client.xa.XaResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.postgresql.xa.PGXADataSource;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Crash test of a durability choice: XA's PREPARING is not synced (docs/core.md, "What is durable when"). A machine
 * crash during the vote can lose it and leave, on disk, the transaction ACTIVE with both its branches (synced with
 * the begin), while the participants have prepared what the vote asked. A SIGKILL cannot lose a written record
 * (the page cache keeps it), so the test makes that state itself, with real processes and a real database: the
 * coordinator process is killed after the branches' work and before the submit, and the test sends the prepares
 * that the lost vote had sent. The restarted coordinator must end the transaction consistently: abort it at its
 * timeout and roll back both prepared branches, or, if the client's submit comes again first, vote again and
 * commit both. Either way nothing stays prepared in PostgreSQL.
 */
class XaPreparingLostTest {
    private static final String PG_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final Duration START_WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;
    final String prefix = "pl" + Long.toHexString(System.nanoTime()) + "-";
    final String schema = "xa_lost_" + Long.toHexString(System.nanoTime());
    CoordinatorProcess coordinator;
    PactumClient client;
    XaParticipant xa;
    HttpServer agent;
    /** PostgreSQL's gids of every branch this test began. */
    final List<String> branchGids = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        sql("CREATE SCHEMA " + schema);
        sql("CREATE TABLE " + schema + ".acct (id TEXT PRIMARY KEY, balance INT NOT NULL)");
        sql("INSERT INTO " + schema + ".acct VALUES ('a', 100), ('b', 100)");
        coordinator = new CoordinatorProcess(List.of("--data", dir.resolve("store").toString(), "--node-id",
                "xa-lost", "--retry-base", "PT0.05S", "--retry-cap", "PT1S"),
                Path.of("target", "xa-preparing-lost", prefix + "coordinator.log").toAbsolutePath());
        coordinator.start(START_WAIT);
        client = PactumClient.connect(coordinator.uri(), Duration.ofSeconds(10));
        PGXADataSource ds = new PGXADataSource();
        ds.setUrl(PG_URL + "?currentSchema=" + schema);
        ds.setUser("postgres");
        xa = XaParticipant.builder(ds).coordinator(client).recoveryDelay(Duration.ZERO)
                .recoverOnlyBranchesStartingWith(prefix).build();
        agent = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        agent.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        agent.createContext("/xa/", ex -> {
            ex.getRequestBody().readAllBytes();
            String path = ex.getRequestURI().getPath();
            XaResult r = xa.handle(path.substring(path.lastIndexOf('/') + 1),
                    ex.getRequestHeaders().getFirst(Headers.GID), ex.getRequestHeaders().getFirst(Headers.BRANCH_ID));
            ex.sendResponseHeaders(r.httpStatus(), -1);
            ex.close();
        });
        agent.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (agent != null) {
            agent.stop(0);
        }
        if (xa != null) {
            xa.close();
        }
        if (client != null) {
            client.close();
        }
        if (coordinator != null) {
            coordinator.close();
        }
        for (String gid : preparedGids()) { // a failed test must not leave prepared transactions behind
            sql("ROLLBACK PREPARED '" + gid + "'");
        }
        sql("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }

    @Test
    void anActiveTransactionWithPreparedBranchesIsAbortedAtItsTimeoutAndRolledBack() throws Exception {
        String gid = beginAndWork(Duration.ofSeconds(3));
        voteWhoseRecordIsLost(gid);

        TransactionView found = client.get(gid);
        assertThat(found.status()).as("what the restart found (ACTIVE until its timeout, then aborted)")
                .isIn(GlobalStatus.ACTIVE, GlobalStatus.ABORTING, GlobalStatus.ABORTED);
        // The participant asks about its prepared branches meanwhile: undecided or aborted, never a commit.
        RecoveryReport meanwhile = xa.recoverOnce();
        assertThat(meanwhile.committed()).isZero();

        TransactionView done = client.awaitFinal(gid, Duration.ofSeconds(60));
        assertThat(done.status()).isEqualTo(GlobalStatus.ABORTED);
        assertThat(done.reason()).contains("timeout");
        assertThat(done.branches()).extracting(b -> b.status()).containsOnly(BranchStatus.CANCELLED);
        assertThat(preparedGids()).as("prepared transactions left in PostgreSQL").isEmpty();
        assertThat(balances()).containsExactly(100, 100);
    }

    @Test
    void theClientsRepeatedSubmitVotesAgainAndCommits() throws Exception {
        String gid = beginAndWork(Duration.ofMinutes(10));
        voteWhoseRecordIsLost(gid);
        assertThat(client.get(gid).status()).as("the restart found it as the lost write left it")
                .isEqualTo(GlobalStatus.ACTIVE);

        // The client never had an answer (the decision is written before the submit answers), so it submits again.
        TransactionView decided = client.submit(gid, List.of(prefix + "a", prefix + "b"));
        assertThat(decided.status()).isIn(GlobalStatus.COMMITTING, GlobalStatus.COMMITTED);
        TransactionView done = client.awaitFinal(gid, Duration.ofSeconds(60));
        assertThat(done.status()).isEqualTo(GlobalStatus.COMMITTED);
        assertThat(done.branches()).extracting(b -> b.status()).containsOnly(BranchStatus.CONFIRMED);
        assertThat(preparedGids()).as("prepared transactions left in PostgreSQL").isEmpty();
        assertThat(balances()).containsExactly(90, 90);
    }

    /** Begins with both branches declared (one durable write) and runs each branch's work: a debit of 10. */
    private String beginAndWork(Duration timeout) {
        String agentUrl = "http://127.0.0.1:" + agent.getAddress().getPort() + "/xa";
        List<BranchRequest> branches = List.of(XaTransaction.branch(prefix + "a", agentUrl),
                XaTransaction.branch(prefix + "b", agentUrl));
        String gid = client.begin(new BeginRequest(null, TxPattern.XA, timeout.toMillis(), branches)).gid();
        for (BranchRequest b : branches) {
            branchGids.add(XaIds.postgresGid(gid, b.branchId()));
        }
        for (String account : List.of("a", "b")) {
            assertThat(xa.work(gid, prefix + account, conn -> {
                try (PreparedStatement ps = conn.prepareStatement(
                        "UPDATE acct SET balance = balance - 10 WHERE id = ?")) {
                    ps.setString(1, account);
                    ps.executeUpdate();
                }
            })).isEqualTo(XaResult.APPLIED);
        }
        return gid;
    }

    /**
     * What a machine crash that lost PREPARING leaves: the store as before the submit (the coordinator killed
     * then), both branches prepared as the vote asked; then the coordinator restarts on the same store.
     */
    private void voteWhoseRecordIsLost(String gid) throws Exception {
        coordinator.kill();
        assertThat(xa.prepare(gid, prefix + "a")).isEqualTo(XaResult.APPLIED);
        assertThat(xa.prepare(gid, prefix + "b")).isEqualTo(XaResult.APPLIED);
        assertThat(preparedGids()).hasSize(2);
        coordinator.start(START_WAIT);
    }

    /** PostgreSQL's gids of this test's branches that pg_prepared_xacts lists. */
    private List<String> preparedGids() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(PG_URL, "postgres", "");
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_prepared_xacts WHERE gid = ?")) {
            for (String pgGid : branchGids) {
                ps.setString(1, pgGid);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        out.add(pgGid);
                    }
                }
            }
        }
        return out;
    }

    private List<Integer> balances() throws SQLException {
        List<Integer> out = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(PG_URL, "postgres", "");
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT balance FROM " + schema + ".acct ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
        }
        return out;
    }

    private static void sql(String statement) throws SQLException {
        try (Connection c = DriverManager.getConnection(PG_URL, "postgres", ""); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }
}
