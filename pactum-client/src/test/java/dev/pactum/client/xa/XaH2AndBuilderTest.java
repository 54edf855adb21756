package dev.pactum.client.xa;

import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

import javax.sql.XAConnection;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Why H2 is not an XA participant, and the builder's checks. */
class XaH2AndBuilderTest {
    static JdbcDataSource h2() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:xa" + UUID.randomUUID().toString().substring(0, 8) + ";DB_CLOSE_DELAY=-1");
        ds.setUser("sa");
        return ds;
    }

    @Test
    void h2RollsBackAPreparedTransactionWhenItsConnectionCloses() throws Exception {
        JdbcDataSource ds = h2();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE t (id INT)");
        }
        Xid x = XaIds.xid("g-1", "b");
        XAConnection owner = ds.getXAConnection();
        owner.getXAResource().start(x, XAResource.TMNOFLAGS);
        try (Statement st = owner.getConnection().createStatement()) {
            st.execute("INSERT INTO t VALUES (1)");
        }
        owner.getXAResource().end(x, XAResource.TMSUCCESS);
        assertThat(owner.getXAResource().prepare(x)).isEqualTo(XAResource.XA_OK);
        owner.close();

        try (OpenXa other = new OpenXa(ds)) {
            assertThatThrownBy(() -> other.getXAResource().commit(x, false)).isInstanceOf(XAException.class)
                    .hasMessageContaining("not found");
            try (Statement st = other.getConnection().createStatement(); ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM t")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
            try (Statement st = other.getConnection().createStatement()) {
                st.execute("SHUTDOWN");
            }
        }
    }

    @Test
    void builderRejectsH2() {
        JdbcDataSource ds = h2();
        assertThatThrownBy(() -> XaParticipant.builder(ds).statusSource(gid -> null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("H2 cannot be an XA participant");
    }

    @Test
    void builderRejectsBadSettingsAtOnce() {
        XaParticipant.Builder b = XaParticipant.builder(h2());
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class).hasMessageContaining("coordinator");
        assertThatThrownBy(() -> b.orphanGrace(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("orphanGrace");
        assertThatThrownBy(() -> b.idleTimeout(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("idleTimeout");
        assertThatThrownBy(() -> b.recoveryInterval(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> b.recoveryDelay(Duration.ofSeconds(-1))).isInstanceOf(IllegalArgumentException.class);
        b.recoveryDelay(Duration.ZERO);
        assertThatThrownBy(() -> b.maxConnections(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxConnections");
        b.maxConnections(1);
        assertThatThrownBy(() -> b.phaseTwoConnections(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("phaseTwoConnections");
        assertThatThrownBy(() -> b.connectionTimeout(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connectionTimeout");
        assertThatThrownBy(() -> b.connectionTimeout(Duration.ofMinutes(2))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most");
        assertThatThrownBy(() -> b.workTimeout(Duration.ofMillis(500))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("workTimeout");
        assertThatThrownBy(() -> b.workTimeout(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> XaParticipant.builder(null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void workTimeoutMustBeBelowTheIdleTimeout() {
        // Work may take up to workTimeout per statement; a branch expired before its work could end would vote no.
        XaParticipant.Builder b = XaParticipant.builder(h2()).statusSource(gid -> null)
                .idleTimeout(Duration.ofSeconds(10)).workTimeout(Duration.ofSeconds(10));
        assertThatThrownBy(b::build).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("workTimeout PT10S must be below idleTimeout PT10S");
    }

    @Test
    void dialectIsChosenByProductName() {
        assertThat(XaDialect.fromProductName("PostgreSQL")).isEqualTo(XaDialect.POSTGRESQL);
        assertThat(XaDialect.fromProductName("MariaDB")).isEqualTo(XaDialect.MYSQL);
        assertThat(XaDialect.fromProductName("MySQL")).isEqualTo(XaDialect.MYSQL);
        assertThatThrownBy(() -> XaDialect.fromProductName("Oracle")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Oracle");
    }
}
