package dev.pactum.client.xa;

import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The participant contract on the machine's PostgreSQL, in a schema of its own in database {@code test}. */
class XaPostgresParticipantTest extends XaParticipantContract {
    @Override
    XaTestDatabase database() {
        return new XaTestDatabase.Postgres(XaTestDatabase.newName("pactum_xa_"));
    }

    @Test
    void swallowedSqlErrorMakesThePrepareVoteNo() throws SQLException {
        // PostgreSQL aborts the transaction at the error; PREPARE TRANSACTION then rolls back without an error and
        // the driver reports XA_OK. The participant must notice and vote no.
        String gid = newGid();
        String account = newAccount(150);
        assertThat(xa.work(gid, "pay", conn -> {
            XaTestDatabase.debit(account, 50).run(conn);
            try (Statement st = conn.createStatement()) {
                st.execute("INSERT INTO no_such_table VALUES (1)");
            } catch (SQLException ignored) {
                // the business code's bug: carrying on after an error
            }
        })).isEqualTo(XaResult.APPLIED);

        assertThat(xa.prepare(gid, "pay")).isEqualTo(XaResult.REFUSED);
        assertThat(xa.inFlight()).isZero();
        assertThat(prepared()).isEmpty();
        assertThat(xa.rollback(gid, "pay").isSuccess()).isTrue();
        assertThat(db.balance(account)).isEqualTo(150);
    }

    @Test
    void aPrepareSendsNothingButPrepareTransaction() throws SQLException {
        // pgjdbc knows from the server's last answer whether the work aborted its transaction: a prepare needs no
        // read of pg_prepared_xacts after PREPARE TRANSACTION (one round trip per branch fewer).
        xa.close();
        xa = builder().maxConnections(1).build();
        String gid = newGid();
        String account = newAccount(150);
        assertThat(xa.work(gid, "pay", XaTestDatabase.debit(account, 50))).isEqualTo(XaResult.APPLIED);
        assertThat(xa.prepare(gid, "pay")).isEqualTo(XaResult.APPLIED);

        // The participant's sessions: the work connection, and the phase-2 one that build() checked the server with.
        List<String> lastQueries = lastQueriesOfTheParticipantsSessions();
        assertThat(lastQueries).hasSize(2).anyMatch(q -> q.startsWith("PREPARE TRANSACTION"))
                .noneMatch(q -> q.contains("pg_prepared_xacts"));
        assertThat(xa.commit(gid, "pay")).isEqualTo(XaResult.APPLIED);
        assertThat(db.balance(account)).isEqualTo(100);
    }

    private List<String> lastQueriesOfTheParticipantsSessions() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT query FROM pg_stat_activity WHERE application_name = ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, db.name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    @Test
    void preparedBranchGivesItsConnectionBackAtOnce() throws SQLException {
        // A prepared transaction belongs to no session on PostgreSQL: one connection serves every branch in turn.
        xa.close();
        xa = builder().maxConnections(1).build();
        String first = newGid();
        String second = newGid();
        String account = newAccount(150);

        prepare(first, "pay", account);
        assertThat(xa.holdsConnection(first, "pay")).isFalse();
        prepare(second, "pay", newAccount(150));
        assertThat(xa.commit(first, "pay")).isEqualTo(XaResult.APPLIED);
        assertThat(xa.rollback(second, "pay")).isEqualTo(XaResult.APPLIED);
        assertThat(db.balance(account)).isEqualTo(100);
        assertThat(xa.pool().opened()).isEqualTo(1);
        assertThat(prepared()).isEmpty();
    }
}
