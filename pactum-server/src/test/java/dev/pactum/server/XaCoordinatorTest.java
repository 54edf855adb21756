package dev.pactum.server;

import dev.pactum.api.BeginRequest;
import dev.pactum.api.BranchRequest;
import dev.pactum.api.BranchStatus;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.InvalidInputException;
import dev.pactum.api.ConflictException;
import dev.pactum.api.TransactionView;
import dev.pactum.api.TxPattern;
import dev.pactum.client.PactumClient;
import dev.pactum.core.CoordinatorConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** XA two-phase commit through the real HTTP server and the embedded store, against a scripted participant. */
class XaCoordinatorTest {
    @TempDir
    Path dir;
    Coordinator coordinator;
    PactumClient client;
    CountingParticipant p;

    @BeforeEach
    void start() throws Exception {
        CoordinatorConfig cc = CoordinatorConfig.builder().nodeId("xa-test").retryBase(Duration.ofMillis(20))
                .retryCap(Duration.ofMillis(200)).workerInterval(Duration.ofMillis(20)).lease(Duration.ofSeconds(4))
                .build();
        ServerConfig config = new ServerConfig("127.0.0.1", 0, dir, null, null, null, 64 * 1024, Duration.ofSeconds(2), cc);
        coordinator = Coordinator.start(config, Clock.systemUTC());
        client = PactumClient.connect(URI.create("http://127.0.0.1:" + coordinator.port()));
        p = new CountingParticipant();
    }

    @AfterEach
    void stop() {
        p.close();
        client.close();
        coordinator.close();
    }

    private String beginXaWith(String... branches) {
        String gid = client.begin(new BeginRequest(null, TxPattern.XA, 30_000L)).gid();
        for (String b : branches) {
            client.registerBranch(gid, BranchRequest.xa(b, p.url("prepare"), p.url("commit"), p.url("rollback")));
        }
        return gid;
    }

    @Test
    void everyYesCommitsEveryBranchAndSubmitAnswersWithTheDecision() throws Exception {
        String gid = beginXaWith("pay", "ship");
        TransactionView decided = client.submit(gid, List.of("pay", "ship"));
        assertThat(decided.status()).isIn(GlobalStatus.COMMITTING, GlobalStatus.COMMITTED);

        TransactionView done = client.awaitFinal(gid, Duration.ofSeconds(10));
        assertThat(done.status()).isEqualTo(GlobalStatus.COMMITTED);
        assertThat(done.branches()).extracting(b -> b.status()).containsOnly(BranchStatus.CONFIRMED);
        for (String b : List.of("pay", "ship")) {
            assertThat(p.count(gid, b, "prepare")).isEqualTo(1);
            assertThat(p.count(gid, b, "commit")).isEqualTo(1);
            assertThat(p.count(gid, b, "rollback")).isZero();
        }
    }

    @Test
    void oneNoRollsBackEveryBranch() throws Exception {
        int[] n = {0};
        p.prepareAnswer = () -> n[0]++ == 0 ? 200 : 409; // the first to prepare says yes, the other no
        String gid = beginXaWith("pay", "ship");
        TransactionView decided = client.submit(gid, List.of("pay", "ship"));
        assertThat(decided.status()).isIn(GlobalStatus.ABORTING, GlobalStatus.ABORTED);
        assertThat(decided.reason()).contains("voted no");

        TransactionView done = client.awaitFinal(gid, Duration.ofSeconds(10));
        assertThat(done.status()).isEqualTo(GlobalStatus.ABORTED);
        assertThat(done.branches()).extracting(b -> b.status()).containsOnly(BranchStatus.CANCELLED);
        for (String b : List.of("pay", "ship")) {
            assertThat(p.count(gid, b, "rollback")).isEqualTo(1);
            assertThat(p.count(gid, b, "commit")).isZero();
        }
    }

    @Test
    void aParticipantThatDoesNotAnswerThePrepareAborts() throws Exception {
        p.prepareAnswer = () -> 503;
        String gid = beginXaWith("pay");
        TransactionView decided = client.submit(gid, List.of("pay"));
        assertThat(decided.status()).isIn(GlobalStatus.ABORTING, GlobalStatus.ABORTED);
        assertThat(decided.reason()).contains("did not vote");
        assertThat(client.awaitFinal(gid, Duration.ofSeconds(10)).status()).isEqualTo(GlobalStatus.ABORTED);
        assertThat(p.count(gid, "pay", "commit")).isZero();
    }

    @Test
    void commitIsRetriedUntilAcknowledged() throws Exception {
        int[] refusals = {3};
        p.answer = () -> refusals[0]-- > 0 ? 503 : 200;
        String gid = beginXaWith("pay");
        client.submit(gid, List.of("pay"));
        TransactionView done = client.awaitFinal(gid, Duration.ofSeconds(20));
        assertThat(done.status()).isEqualTo(GlobalStatus.COMMITTED);
        assertThat(p.count(gid, "pay", "commit")).isEqualTo(1);
    }

    @Test
    void timeoutRollsBackAnActiveXaTransaction() throws Exception {
        // The branch comes with the begin, in one write: registered after it, it raced the 50 ms timeout, and on a
        // loaded machine the timeout won and the registration was refused (the transaction no longer ACTIVE).
        String gid = client.begin(new BeginRequest(null, TxPattern.XA, 50L,
                List.of(BranchRequest.xa("pay", p.url("prepare"), p.url("commit"), p.url("rollback"))))).gid();
        TransactionView done = client.awaitFinal(gid, Duration.ofSeconds(10));
        assertThat(done.status()).isEqualTo(GlobalStatus.ABORTED);
        assertThat(p.count(gid, "pay", "rollback")).isEqualTo(1);
        assertThat(p.count(gid, "pay", "prepare")).isZero();
    }

    @Test
    void branchesMustMatchThePatternOfTheTransaction() {
        String xa = client.begin(new BeginRequest(null, TxPattern.XA, 30_000L)).gid();
        assertThatThrownBy(() -> client.registerBranch(xa, BranchRequest.tcc("b", null, p.url("confirm"), p.url("cancel"))))
                .isInstanceOf(ConflictException.class).hasMessageContaining("XA");
        assertThatThrownBy(() -> client.registerBranch(xa, new BranchRequest("b", null, p.url("confirm"), null,
                p.url("prepare"), p.url("commit"), p.url("rollback"), null)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("confirmUrl");
        assertThatThrownBy(() -> client.registerBranch(xa, BranchRequest.xa("b", p.url("prepare"), null, p.url("rollback"))))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("commitUrl");
        assertThat(client.get(xa).branches()).isEmpty();
    }
}
