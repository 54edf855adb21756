package dev.pactum.client.msg;

import dev.pactum.client.IsolatedDatabase;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** The message producer on the machine's PostgreSQL, in a schema of its own in database {@code test}. */
class PostgresMessageProducerTest extends MessageProducerContract {
    @Override
    IsolatedDatabase database() {
        return IsolatedDatabase.POSTGRESQL;
    }

    @Override
    String sessionId(Connection conn) throws SQLException {
        return query(conn, "SELECT pg_backend_pid()", null);
    }

    @Override
    int sessionsBlockedBy(Connection conn, String blocker) throws SQLException {
        return Integer.parseInt(query(conn, "SELECT count(*) FROM pg_stat_activity"
                + " WHERE CAST(? AS integer) = ANY(pg_blocking_pids(pid))", blocker));
    }

    static String query(Connection conn, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(sql)) {
            if (arg != null) {
                ps.setString(1, arg);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    @Override
    String describeSessions(Connection conn) throws SQLException {
        return dump(conn, "SELECT pid, wait_event_type, state, left(query, 60) FROM pg_stat_activity WHERE datname = current_database()");
    }
}
