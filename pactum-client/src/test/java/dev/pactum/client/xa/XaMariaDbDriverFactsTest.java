package dev.pactum.client.xa;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import javax.sql.XAConnection;
import javax.sql.XADataSource;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What MariaDB and its JDBC driver do with XA, as the participant relies on it (docs/xa-participant.md): pinned
 * here so that an upgrade that changes one of them fails a test instead of a transaction.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class XaMariaDbDriverFactsTest {
    final String prefix = "xf" + UUID.randomUUID().toString().substring(0, 8) + "-";
    int seq;
    XaTestDatabase db;
    XADataSource ds;

    @BeforeAll
    void setUp() throws SQLException {
        db = new XaTestDatabase.MariaDb(XaTestDatabase.newName("pactum_xaf_"));
        db.create();
        db.createAccounts();
        db.newAccount("a", 100);
        ds = db.dataSource();
    }

    @AfterAll
    void noPreparedLeft() throws SQLException {
        var left = db.preparedBranches(prefix);
        for (String b : left) {
            db.rollbackWithSql(b.split("/")[0], b.split("/")[1]);
        }
        db.drop();
        assertThat(left).isEmpty();
    }

    Xid newXid() {
        return XaIds.xid(prefix + (++seq), "b");
    }

    static void update(Connection c) throws SQLException {
        try (Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE acct SET balance = balance + 1 WHERE id = 'a'");
        }
    }

    /** A session holding a prepared branch. */
    final class Prepared implements AutoCloseable {
        final XAConnection xc;
        final long sessionId;

        Prepared(XAConnection xc, long sessionId) {
            this.xc = xc;
            this.sessionId = sessionId;
        }

        XAResource getXAResource() throws SQLException {
            return xc.getXAResource();
        }

        Connection getConnection() throws SQLException {
            return xc.getConnection();
        }

        private boolean closed;

        /** Closes the session and returns once the server has ended it (see awaitSessionGone). Idempotent. */
        @Override
        public void close() throws SQLException {
            if (closed) {
                return;
            }
            closed = true;
            xc.close();
            try {
                ((XaTestDatabase.MariaDb) db).awaitSessionGone(sessionId);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException(e);
            }
        }
    }

    Prepared prepared(Xid x) throws Exception {
        XAConnection xc = ds.getXAConnection();
        try {
            long sessionId = sessionId(xc.getConnection());
            xc.getXAResource().start(x, XAResource.TMNOFLAGS);
            update(xc.getConnection());
            xc.getXAResource().end(x, XAResource.TMSUCCESS);
            assertThat(xc.getXAResource().prepare(x)).isEqualTo(XAResource.XA_OK);
            return new Prepared(xc, sessionId);
        } catch (Exception | AssertionError e) {
            xc.close(); // a session left open would block the DROP DATABASE at the end
            throw e;
        }
    }

    static long sessionId(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT CONNECTION_ID()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void autoCommitStaysOnAndTransactionControlIsRefusedInsideABranch() throws Exception {
        Xid x = newXid();
        try (OpenXa xc = new OpenXa(ds)) {
            Connection c = xc.getConnection();
            xc.getXAResource().start(x, XAResource.TMNOFLAGS);
            assertThat(c.getAutoCommit()).isTrue();
            update(c);
            assertThatThrownBy(() -> {
                try (Statement st = c.createStatement()) {
                    st.execute("COMMIT");
                }
            }).isInstanceOf(SQLException.class).hasMessageContaining("XAER_RMFAIL");
            xc.getXAResource().end(x, XAResource.TMSUCCESS);
            xc.getXAResource().rollback(x);
        }
        assertThat(db.balance("a")).isEqualTo(100);
    }

    @Test
    void anotherSessionCannotFinishAPreparedXidWhileThePreparingSessionLives() throws Exception {
        Xid x = newXid();
        Prepared owner = prepared(x);
        try (OpenXa other = new OpenXa(ds)) {
            XAResource xa = other.getXAResource();
            assertThat(db.preparedBranches(prefix)).as("XA RECOVER lists it all the same").hasSize(1);
            XAException e = catchXa(() -> xa.commit(x, false));
            assertThat(e.errorCode).as("'unknown xid' for a prepared xid").isEqualTo(XAException.XAER_NOTA);

            owner.close(); // returns once the server has ended the session
            xa.commit(x, false);
            assertThat(catchXa(() -> xa.commit(x, false)).errorCode).isEqualTo(XAException.XAER_NOTA);
            assertThat(catchXa(() -> xa.rollback(x)).errorCode).isEqualTo(XAException.XAER_NOTA);
        } finally {
            owner.close(); // after a failed assertion too: an open session would block the DROP DATABASE
        }
        assertThat(db.balance("a")).isEqualTo(101);
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE acct SET balance = 100 WHERE id = 'a'");
        }
    }

    @Test
    void thePreparingSessionCanOnlyFinishItsBranchThenIsFreeAgain() throws Exception {
        Xid x = newXid();
        Xid next = newXid();
        Prepared owner = prepared(x);
        try {
            XAResource xa = owner.getXAResource();
            assertThat(catchXa(() -> xa.start(next, XAResource.TMNOFLAGS)).errorCode)
                    .as("no other XA transaction while this one is prepared").isEqualTo(XAException.XAER_RMFAIL);
            assertThatThrownBy(() -> update(owner.getConnection())).as("no statement either")
                    .isInstanceOf(SQLException.class).hasMessageContaining("PREPARED state");
            xa.commit(x, false);
            assertThat(owner.getConnection().getAutoCommit()).isTrue();
            xa.start(next, XAResource.TMNOFLAGS);
            update(owner.getConnection());
            xa.end(next, XAResource.TMSUCCESS);
            xa.rollback(next);
        } finally {
            owner.close();
        }
        assertThat(db.balance("a")).isEqualTo(101);
        assertThat(db.preparedBranches(prefix)).isEmpty();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE acct SET balance = 100 WHERE id = 'a'");
        }
    }

    @Test
    void readOnlyBranchCommitsOnItsPreparingSession() throws Exception {
        Xid x = newXid();
        try (OpenXa xc = new OpenXa(ds)) {
            XAResource xa = xc.getXAResource();
            xa.start(x, XAResource.TMNOFLAGS);
            try (Statement st = xc.getConnection().createStatement()) {
                st.executeQuery("SELECT balance FROM acct").close();
            }
            xa.end(x, XAResource.TMSUCCESS);
            assertThat(xa.prepare(x)).isEqualTo(XAResource.XA_OK);
            xa.commit(x, false); // no XA_RBROLLBACK here, unlike from another session
        }
        assertThat(db.preparedBranches(prefix)).isEmpty();
    }

    @Test
    void prepareOfAnIdleBranchFromAnotherSessionFails() throws Exception {
        Xid x = newXid();
        try (OpenXa owner = new OpenXa(ds); OpenXa other = new OpenXa(ds)) {
            owner.getXAResource().start(x, XAResource.TMNOFLAGS);
            update(owner.getConnection());
            owner.getXAResource().end(x, XAResource.TMSUCCESS);
            assertThat(catchXa(() -> other.getXAResource().prepare(x)).errorCode).isEqualTo(XAException.XAER_RMFAIL);
            assertThat(catchXa(() -> other.getXAResource().rollback(x)).errorCode).isEqualTo(XAException.XAER_NOTA);
            owner.getXAResource().rollback(x);
        }
    }

    @Test
    void readOnlyBranchIsPreparedButAnotherSessionsCommitAnswersRolledBack() throws Exception {
        Xid x = newXid();
        long session;
        try (OpenXa xc = new OpenXa(ds)) {
            XAResource xa = xc.getXAResource();
            session = sessionId(xc.getConnection());
            xa.start(x, XAResource.TMNOFLAGS);
            try (Statement st = xc.getConnection().createStatement()) {
                st.executeQuery("SELECT balance FROM acct").close();
            }
            xa.end(x, XAResource.TMSUCCESS);
            assertThat(xa.prepare(x)).as("never XA_RDONLY").isEqualTo(XAResource.XA_OK);
        }
        ((XaTestDatabase.MariaDb) db).awaitSessionGone(session);
        assertThat(db.preparedBranches(prefix)).as("still listed after its session closed").hasSize(1);
        try (OpenXa xc = new OpenXa(ds)) {
            assertThat(catchXa(() -> xc.getXAResource().commit(x, false)).errorCode)
                    .as("nothing to commit: MariaDB answers XA_RBROLLBACK").isEqualTo(XAException.XA_RBROLLBACK);
        }
        assertThat(db.preparedBranches(prefix)).isEmpty();
    }

    @Test
    void startOfAPreparedXidIsDupId() throws Exception {
        Xid x = newXid();
        prepared(x).close();
        try (OpenXa xc = new OpenXa(ds)) {
            assertThat(catchXa(() -> xc.getXAResource().start(x, XAResource.TMNOFLAGS)).errorCode)
                    .isEqualTo(XAException.XAER_DUPID);
            assertThat(db.preparedBranches(prefix)).as("the failed start changes nothing").hasSize(1);
            xc.getXAResource().rollback(x);
        }
        assertThat(db.preparedBranches(prefix)).isEmpty();
        assertThat(db.balance("a")).isEqualTo(100);
    }

    @Test
    void xaRecoverListsThePreparedXidsOfEveryDatabaseOnTheServer() throws Exception {
        Xid x = newXid();
        prepared(x).close();
        XaTestDatabase elsewhere = new XaTestDatabase.MariaDb("test");
        try (OpenXa xc = new OpenXa(elsewhere.dataSource())) {
            XAResource xa = xc.getXAResource();
            assertThat(xa.recover(XAResource.TMNOFLAGS)).as("nothing without TMSTARTRSCAN").isEmpty();
            assertThat(Arrays.stream(xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN))
                    .map(XaIds::branchOf)).contains(Optional.of(XaIds.branchOf(x).orElseThrow()));
            xa.rollback(x);
        }
        assertThat(db.balance("a")).isEqualTo(100);
    }

    private interface XaCall {
        void run() throws XAException;
    }

    private static XAException catchXa(XaCall call) {
        try {
            call.run();
        } catch (XAException e) {
            return e;
        }
        throw new AssertionError("no XAException");
    }
}
