package dev.pactum.client.msg;

import dev.pactum.client.IsolatedDatabase;

import java.sql.Connection;
import java.sql.SQLException;

/** The message producer on the machine's MariaDB, in a database of its own. */
class MariaDbMessageProducerTest extends MessageProducerContract {
    @Override
    IsolatedDatabase database() {
        return IsolatedDatabase.MARIADB;
    }

    @Override
    String sessionId(Connection conn) throws SQLException {
        return PostgresMessageProducerTest.query(conn, "SELECT CONNECTION_ID()", null);
    }

    /**
     * Sessions of this test's own database running the barrier insert: the only session that runs it while the
     * local transaction {@code blocker} holds the key is the check, waiting for that key's lock.
     */
    @Override
    int sessionsBlockedBy(Connection conn, String blocker) throws SQLException {
        return Integer.parseInt(PostgresMessageProducerTest.query(conn, "SELECT count(*)"
                + " FROM information_schema.processlist WHERE db = DATABASE() AND id <> CAST(? AS SIGNED)"
                + " AND info LIKE 'INSERT IGNORE INTO pactum_barrier%'", blocker));
    }

    @Override
    String describeSessions(Connection conn) throws SQLException {
        return dump(conn, "SELECT id, db, command, state, info FROM information_schema.processlist");
    }
}
