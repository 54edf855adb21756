package dev.pactum.client.jdbc;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The connection business code gets: which calls it refuses and remembers, and which it passes through. */
class GuardedConnectionTest {
    private static final String KEY = "barrier g-1/pay/confirm";

    private Connection target;
    private GuardedConnection guarded;

    @BeforeEach
    void open() throws SQLException {
        target = DriverManager.getConnection("jdbc:h2:mem:guarded_" + UUID.randomUUID(), "sa", "");
        target.setAutoCommit(false);
        guarded = new GuardedConnection(target, KEY);
    }

    @AfterEach
    void close() throws SQLException {
        target.close();
    }

    @Test
    void transactionControlIsRefusedAndTheFirstAttemptIsRemembered() throws SQLException {
        Connection conn = guarded.connection();
        assertThatThrownBy(conn::commit).isInstanceOfSatisfying(SQLException.class, e -> {
            assertThat(e.getSQLState()).isEqualTo(GuardedConnection.REFUSED_STATE);
            assertThat(e.getMessage()).contains("g-1/pay/confirm", "commit()");
        });
        assertThatThrownBy(conn::rollback).isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> conn.setAutoCommit(true)).isInstanceOf(SQLException.class);
        assertThatThrownBy(conn::close).isInstanceOf(SQLException.class);
        assertThatThrownBy(() -> conn.abort(Runnable::run)).isInstanceOf(SQLException.class);

        assertThat(guarded.refusedCall()).isEqualTo("commit()");
        assertThat(target.isClosed()).isFalse();
        assertThat(target.getAutoCommit()).isFalse();
    }

    @Test
    void statementsSavepointsAndHarmlessCallsPassThrough() throws SQLException {
        Connection conn = guarded.connection();
        conn.setAutoCommit(false); // already off: a no-op some code makes defensively
        try (Statement st = conn.createStatement()) {
            st.execute("CREATE TABLE t (id INT PRIMARY KEY)");
            Savepoint sp = conn.setSavepoint();
            st.execute("INSERT INTO t VALUES (1)");
            conn.rollback(sp);
            conn.releaseSavepoint(conn.setSavepoint());
        }
        assertThat(conn.isClosed()).isFalse();
        assertThat(conn.unwrap(Connection.class)).isSameAs(conn);
        assertThat(conn.isWrapperFor(Connection.class)).isTrue();
        assertThat(conn).isEqualTo(conn).isNotEqualTo(target);
        assertThat(conn.toString()).contains("g-1/pay/confirm");

        assertThat(guarded.refusedCall()).isNull();
    }
}
