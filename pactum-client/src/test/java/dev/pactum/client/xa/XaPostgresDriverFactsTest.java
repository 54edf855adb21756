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
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What the PostgreSQL JDBC driver's XA support does, as the participant relies on it (docs/xa-participant.md):
 * pinned here so that a driver upgrade that changes one of them fails a test instead of a transaction.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class XaPostgresDriverFactsTest {
    final String prefix = "xf" + UUID.randomUUID().toString().substring(0, 8) + "-";
    int seq;
    XaTestDatabase db;
    XADataSource ds;

    @BeforeAll
    void setUp() throws SQLException {
        db = new XaTestDatabase.Postgres(XaTestDatabase.newName("pactum_xaf_"));
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

    @Test
    void afterPrepareTheConnectionIsFreeForTheNextBranchAndCanFinishAnyPrepared() throws Exception {
        Xid first = newXid();
        Xid second = newXid();
        try (OpenXa xc = new OpenXa(ds)) {
            XAResource xa = xc.getXAResource();
            Connection c = xc.getConnection();
            xa.start(first, XAResource.TMNOFLAGS);
            update(c);
            xa.end(first, XAResource.TMSUCCESS);
            assertThat(xa.prepare(first)).isEqualTo(XAResource.XA_OK);
            // The prepared transaction belongs to no session: the same connection starts another branch ...
            xa.start(second, XAResource.TMNOFLAGS);
            try (Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE acct SET balance = balance + 1 WHERE id = 'b-none'");
            }
            xa.end(second, XAResource.TMSUCCESS);
            assertThat(xa.prepare(second)).isEqualTo(XAResource.XA_OK);
            assertThat(db.preparedBranches(prefix)).hasSize(2);
            // ... and, idle again, commits or rolls back prepared ones, its own included.
            xa.commit(first, false);
            xa.rollback(second);
            assertThat(c.getAutoCommit()).isTrue();
        }
        assertThat(db.preparedBranches(prefix)).isEmpty();
        assertThat(db.balance("a")).isEqualTo(101);
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE acct SET balance = 100 WHERE id = 'a'");
        }
    }

    @Test
    void autoCommitIsOffInsideABranchAndBackOnAfterPrepare() throws Exception {
        Xid x = newXid();
        try (OpenXa xc = new OpenXa(ds)) {
            XAResource xa = xc.getXAResource();
            Connection c = xc.getConnection();
            assertThat(c.getAutoCommit()).isTrue();
            xa.start(x, XAResource.TMNOFLAGS);
            assertThat(c.getAutoCommit()).isFalse();
            update(c);
            assertThatThrownBy(c::commit).as("transaction control is refused inside a branch")
                    .isInstanceOf(SQLException.class).hasMessageContaining("not allowed while an XA transaction is active");
            xa.end(x, XAResource.TMSUCCESS);
            assertThat(c.getAutoCommit()).isFalse();
            assertThat(xa.prepare(x)).isEqualTo(XAResource.XA_OK);
            assertThat(c.getAutoCommit()).isTrue();
            xa.rollback(x);
        }
    }

    @Test
    void prepareAndIdleRollbackNeedTheConnectionThatDidTheWork() throws Exception {
        Xid x = newXid();
        try (OpenXa owner = new OpenXa(ds); OpenXa other = new OpenXa(ds)) {
            owner.getXAResource().start(x, XAResource.TMNOFLAGS);
            update(owner.getConnection());
            owner.getXAResource().end(x, XAResource.TMSUCCESS);

            assertThatThrownBy(() -> other.getXAResource().prepare(x)).isInstanceOf(XAException.class)
                    .hasMessageContaining("does not have an associated xid");
            assertThatThrownBy(() -> other.getXAResource().rollback(x)).isInstanceOf(XAException.class);
            owner.getXAResource().rollback(x);
        }
    }

    @Test
    void preparedTransactionOutlivesItsConnectionAndAnyConnectionFinishesIt() throws Exception {
        Xid x = XaIds.xid(prefix + (++seq), "pay");
        XAConnection owner = ds.getXAConnection();
        owner.getXAResource().start(x, XAResource.TMNOFLAGS);
        update(owner.getConnection());
        owner.getXAResource().end(x, XAResource.TMSUCCESS);
        assertThat(owner.getXAResource().prepare(x)).isEqualTo(XAResource.XA_OK);
        owner.close();

        XaBranchId b = XaIds.branchOf(x).orElseThrow();
        assertThat(db.preparedBranches(prefix)).containsExactly(b.gid() + "/pay");
        try (Connection c = db.connect(); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT gid FROM pg_prepared_xacts WHERE database = current_database()")) {
            boolean found = false;
            while (rs.next()) {
                found |= rs.getString(1).equals(XaIds.postgresGid(b.gid(), "pay"));
            }
            assertThat(found).as("pg_prepared_xacts shows formatId_base64(gtrid)_base64(bqual)").isTrue();
        }
        try (OpenXa other = new OpenXa(ds)) {
            XAResource xa = other.getXAResource();
            assertThat(xa.recover(XAResource.TMNOFLAGS)).as("recover lists nothing without TMSTARTRSCAN").isEmpty();
            assertThat(Arrays.stream(xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN))
                    .map(XaIds::branchOf)).contains(java.util.Optional.of(b));
            xa.commit(x, false);
            XAException again = catchXa(() -> xa.commit(x, false));
            assertThat(again.errorCode).as("commit of a finished xid").isEqualTo(XAException.XAER_NOTA);
            assertThat(catchXa(() -> xa.rollback(x)).errorCode).isEqualTo(XAException.XAER_NOTA);
        }
    }

    @Test
    void readOnlyBranchIsPreparedLikeAnyOther() throws Exception {
        Xid x = newXid();
        try (OpenXa xc = new OpenXa(ds)) {
            XAResource xa = xc.getXAResource();
            xa.start(x, XAResource.TMNOFLAGS);
            try (Statement st = xc.getConnection().createStatement()) {
                st.executeQuery("SELECT balance FROM acct").close();
            }
            xa.end(x, XAResource.TMSUCCESS);
            assertThat(xa.prepare(x)).as("never XA_RDONLY").isEqualTo(XAResource.XA_OK);
            assertThat(db.preparedBranches(prefix)).hasSize(1);
            xa.commit(x, false);
        }
    }

    @Test
    void abortedTransactionPreparesWithXaOkButNothingIsPreparedAndTheDriverKnewBefore() throws Exception {
        // The participant votes no on the driver's transaction state, with no round trip (PgTransactionState).
        Xid x = newXid();
        try (OpenXa xc = new OpenXa(ds)) {
            XAResource xa = xc.getXAResource();
            xa.start(x, XAResource.TMNOFLAGS);
            Connection c = xc.getConnection(); // one handle: a second one would roll the branch back
            update(c);
            assertThat(PgTransactionState.failed(c)).as("after a good statement").isFalse();
            try (Statement st = c.createStatement()) {
                st.execute("SELECT * FROM no_such_table");
            } catch (SQLException expected) {
                assertThat(expected.getSQLState()).isEqualTo("42P01");
            }
            assertThat(PgTransactionState.failed(c)).as("after an error inside the transaction").isTrue();
            xa.end(x, XAResource.TMSUCCESS);
            assertThat(PgTransactionState.failed(c)).as("end sends nothing and keeps the state").isTrue();
            assertThat(xa.prepare(x)).as("PostgreSQL answers ROLLBACK to PREPARE TRANSACTION, no error")
                    .isEqualTo(XAResource.XA_OK);
            assertThat(db.preparedBranches(prefix)).isEmpty();
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
