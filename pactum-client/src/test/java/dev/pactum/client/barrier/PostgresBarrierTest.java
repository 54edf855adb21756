package dev.pactum.client.barrier;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pactum.api.BranchOp;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The barrier contract on the machine's PostgreSQL, in a schema of its own in database {@code test}. */
class PostgresBarrierTest extends BarrierContract {
    static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";
    static final String USER = "postgres";

    @Override
    void createIsolated(String name) throws SQLException {
        admin("CREATE SCHEMA " + name);
    }

    @Override
    HikariConfig poolConfig(String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(URL + "?currentSchema=" + name);
        config.setUsername(USER);
        return config;
    }

    @Override
    void dropIsolated(String name) throws SQLException {
        admin("DROP SCHEMA IF EXISTS " + name + " CASCADE");
    }

    private static void admin(String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(URL, USER, ""); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    @Override
    String otherIsolation() {
        return "TRANSACTION_REPEATABLE_READ";
    }

    @Override
    BarrierDialect expectedDialect() {
        return BarrierDialect.POSTGRESQL;
    }

    @Override
    boolean failedStatementAbortsTransaction() {
        return true;
    }

    @Override
    List<String> statementsThatCommit() {
        return List.of("COMMIT");
    }

    /**
     * With pgjdbc's {@code autosave=always} the driver wraps every statement in a savepoint and undoes only a
     * failed one, as MariaDB and H2 do: a swallowed error then leaves the transaction intact, and the barrier,
     * whose mark is the top-level transaction id (not the savepoint's), must commit it as usual.
     */
    @Test
    void swallowedSqlErrorUndoneByTheDriversAutosaveIsApplied() throws SQLException {
        HikariConfig config = poolConfig(databaseName);
        config.addDataSourceProperty("autosave", "always");
        config.setPoolName("autosave");
        try (HikariDataSource autosave = new HikariDataSource(config)) {
            Barrier withAutosave = Barrier.of(autosave, BarrierDialect.POSTGRESQL);
            String gid = newGid();
            String account = newAccount(150, 50);
            String taken = gid + "-taken";
            try (Connection c = autosave.getConnection()) {
                Accounts.log(c, taken);
            }

            assertThat(withAutosave.run(gid, "pay", BranchOp.CONFIRM, conn -> {
                Accounts.pay(account, 50).run(conn);
                try {
                    Accounts.log(conn, taken);
                } catch (SQLException alreadyLogged) {
                    // ignored; the driver rolled back to its savepoint
                }
            })).isEqualTo(BarrierResult.APPLIED);
            assertThat(accounts.read(account)).containsExactly(100, 0);
            assertThat(rows(gid, "pay")).containsExactly("confirm:confirm");
        }
    }
}
