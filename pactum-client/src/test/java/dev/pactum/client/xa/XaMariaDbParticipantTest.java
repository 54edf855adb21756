package dev.pactum.client.xa;

import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The participant contract on the machine's MariaDB, in a database of its own. */
class XaMariaDbParticipantTest extends XaParticipantContract {
    @Override
    XaTestDatabase database() {
        return new XaTestDatabase.MariaDb(XaTestDatabase.newName("pactum_xa_"));
    }

    @Test
    void swallowedSqlErrorLeavesTheRestOfTheWork() throws SQLException {
        // Unlike PostgreSQL, MariaDB undoes only the failed statement: the branch prepares with the rest.
        String gid = newGid();
        String account = newAccount(150);
        assertThat(xa.work(gid, "pay", conn -> {
            XaTestDatabase.debit(account, 50).run(conn);
            try (Statement st = conn.createStatement()) {
                st.execute("INSERT INTO no_such_table VALUES (1)");
            } catch (SQLException ignored) {
                // carrying on after an error
            }
        })).isEqualTo(XaResult.APPLIED);

        assertThat(xa.prepare(gid, "pay")).isEqualTo(XaResult.APPLIED);
        assertThat(xa.commit(gid, "pay")).isEqualTo(XaResult.APPLIED);
        assertThat(db.balance(account)).isEqualTo(100);
    }

    @Test
    void workRepeatedAfterARestartFindsTheXidPrepared() throws SQLException {
        // MariaDB refuses XA START of an xid it has prepared (XAER_DUPID): the work is not run twice.
        String gid = newGid();
        String account = newAccount(150);
        prepare(gid, "pay", account);
        restart();

        assertThat(xa.work(gid, "pay", XaTestDatabase.debit(account, 50))).isEqualTo(XaResult.DUPLICATE);
        assertThat(xa.inFlight()).isZero();
        assertThat(xa.commit(gid, "pay")).isEqualTo(XaResult.APPLIED);
        assertThat(db.balance(account)).isEqualTo(100);
    }

    @Test
    void phaseTwoRunsOnTheSessionThatPrepared() throws SQLException {
        // No other session can finish the branch while the preparing one lives (XAER_NOTA), so the branch keeps
        // its session. With one connection in all, anything else would wait for a connection and answer RETRY.
        xa.close();
        xa = builder().maxConnections(1).build();
        String committed = newGid();
        String rolledBack = newGid();
        String account = newAccount(150);

        prepare(committed, "pay", account);
        assertThat(xa.holdsConnection(committed, "pay")).isTrue();
        assertThat(prepared()).containsExactly(committed + "/pay");
        assertThat(xa.commit(committed, "pay")).isEqualTo(XaResult.APPLIED);
        assertThat(xa.holdsConnection(committed, "pay")).isFalse();
        assertThat(db.balance(account)).isEqualTo(100);

        prepare(rolledBack, "pay", account);
        assertThat(xa.rollback(rolledBack, "pay")).isEqualTo(XaResult.APPLIED);
        assertThat(db.balance(account)).isEqualTo(100);
        assertThat(xa.pool().opened()).as("the one session did all of it").isEqualTo(1);
        assertThat(prepared()).isEmpty();
    }

    @Test
    void recoverySettlesAHeldBranchOnItsOwnSession() throws SQLException {
        xa.close();
        xa = builder().maxConnections(2).build(); // one for the branch, one for recovery's scan
        String gid = newGid();
        String account = newAccount(150);
        prepare(gid, "pay", account);
        coordinator.status(gid, "COMMITTED");

        clock.advance(Duration.ofSeconds(30)); // the default recovery delay
        RecoveryReport r = xa.recoverOnce();
        assertThat(r.committed()).isEqualTo(1);
        assertThat(r.failed()).isZero();
        assertThat(db.balance(account)).isEqualTo(100);
        assertThat(xa.commit(gid, "pay")).isEqualTo(XaResult.DUPLICATE);
        assertThat(prepared()).isEmpty();
    }
}
