package dev.pactum.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * The producer's own database in the message benchmark: where each send's local transaction inserts one order row
 * (beside the SDK's barrier row). An in-memory H2 by default, so the figure is the transaction manager's and not a
 * database's commit; or the machine's PostgreSQL ({@code --msg-db jdbc:postgresql://...}), in a schema of this
 * run's own, dropped after, when the question is what a real service sees.
 */
final class ProducerDatabase implements AutoCloseable {
    private final HikariDataSource pool;
    private final String description;
    private final String schema;

    private ProducerDatabase(HikariDataSource pool, String description, String schema) {
        this.pool = pool;
        this.description = description;
        this.schema = schema;
    }

    /**
     * @param url {@code h2} (in memory) or a PostgreSQL JDBC URL (user {@code postgres})
     */
    static ProducerDatabase open(String url, int connections) throws SQLException {
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        HikariConfig hc = new HikariConfig();
        hc.setMaximumPoolSize(connections);
        hc.setPoolName("bench-producer");
        String schema = null;
        String description;
        if (url.equalsIgnoreCase("h2")) {
            hc.setJdbcUrl("jdbc:h2:mem:pactum_bench_" + suffix + ";DB_CLOSE_DELAY=-1");
            description = "H2 in memory";
        } else if (url.startsWith("jdbc:postgresql:")) {
            schema = "pactum_bench_" + suffix;
            hc.setJdbcUrl(url);
            hc.setUsername("postgres");
            hc.setMinimumIdle(0);
            try (HikariDataSource admin = new HikariDataSource(copy(hc, 1));
                 Connection c = admin.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE SCHEMA " + schema);
            }
            hc.setSchema(schema);
            description = url.replaceAll("\\?.*", "") + ", schema " + schema;
        } else {
            throw new IllegalArgumentException("--msg-db must be h2 or a jdbc:postgresql: URL, was " + url);
        }
        ProducerDatabase db = new ProducerDatabase(new HikariDataSource(hc), description, schema);
        try (Connection c = db.pool.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE pactum_bench_orders (id VARCHAR(64) PRIMARY KEY, amount INT NOT NULL)");
        }
        return db;
    }

    private static HikariConfig copy(HikariConfig hc, int size) {
        HikariConfig c = new HikariConfig();
        hc.copyStateTo(c);
        c.setPoolName(hc.getPoolName() + "-admin");
        c.setMaximumPoolSize(size);
        return c;
    }

    DataSource dataSource() {
        return pool;
    }

    /** The send's local work: one order row. */
    static void insertOrder(Connection conn, String id) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO pactum_bench_orders (id, amount) VALUES (?, 50)")) {
            ps.setString(1, id);
            ps.executeUpdate();
        }
    }

    /** Orders committed so far: one per committed send of every transactional side. */
    long orders() throws SQLException {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT COUNT(*) FROM pactum_bench_orders")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    String describe() {
        return description;
    }

    @Override
    public void close() throws SQLException {
        if (schema != null) {
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            } finally {
                pool.close();
            }
            return;
        }
        String url = pool.getJdbcUrl();
        pool.close();
        // H2's in-memory database lives until the JVM ends unless shut down (the tests' runs share a JVM).
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException closedBySHUTDOWN) {
            // SHUTDOWN closes the connection under the try's own close
        }
    }
}
