package dev.pactum.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.pactum.api.Headers;
import dev.pactum.client.PactumClient;
import dev.pactum.client.xa.XaParticipant;
import dev.pactum.client.xa.XaResult;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.xa.PGXADataSource;

import javax.sql.XADataSource;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One XA participant of the XA benchmark: a table of its own on a real database, and one small unit of
 * business work (add 1 to a random row of 1,000, so concurrent transactions rarely wait on each other's locks).
 * It offers the work twice: inside an XA branch ({@code POST /work}, then the coordinator's {@code /xa/prepare},
 * {@code /xa/commit}, {@code /xa/rollback}), and as a plain local transaction ({@code POST /local}), the baseline.
 */
final class XaBenchParticipant implements AutoCloseable {
    static final int ROWS = 1000;

    private final String table;
    private final HikariDataSource local;
    private final XaParticipant xa;
    private final LoopbackServer server;

    XaBenchParticipant(String url, String table, PactumClient coordinator) throws Exception {
        this.table = table;
        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setUsername(url.startsWith("jdbc:postgresql:") ? "postgres" : "root");
        hc.setMaximumPoolSize(32);
        // Open the baseline's connections when it needs them: 32 held idle per participant from the start would
        // leave PostgreSQL's default 100 connections short for the XA participants' own.
        hc.setMinimumIdle(0);
        hc.setPoolName("bench-" + table);
        local = new HikariDataSource(hc);
        try (Connection c = local.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
            s.execute("CREATE TABLE " + table + " (id INT PRIMARY KEY, n BIGINT NOT NULL)");
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (id, n) VALUES (?, 0)")) {
                for (int i = 0; i < ROWS; i++) {
                    ps.setInt(1, i);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        }
        xa = XaParticipant.builder(xaDataSource(url)).coordinator(coordinator)
                .recoverOnly(b -> b.branchId().equals(table)).build();

        server = new LoopbackServer("xa-bench-" + table, true, new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                try (InputStream in = Content.Source.asInputStream(request)) {
                    in.readAllBytes();
                }
                String gid = request.getHeaders().get(Headers.GID);
                String branch = request.getHeaders().get(Headers.BRANCH_ID);
                int status = switch (Request.getPathInContext(request)) {
                    case "/work" -> {
                        releaseBaselineConnections();
                        yield xa.work(gid, branch, conn -> increment(conn)).httpStatus();
                    }
                    case "/xa/prepare" -> xa.prepare(gid, branch).httpStatus();
                    case "/xa/commit" -> xa.commit(gid, branch).httpStatus();
                    case "/xa/rollback" -> xa.rollback(gid, branch).httpStatus();
                    case "/local" -> local();
                    default -> 404;
                };
                LoopbackServer.answer(response, status, callback);
                return true;
            }
        });
    }

    /**
     * The baseline's pool keeps its connections open after its phase; with the XA participants' own they passed
     * PostgreSQL's default limit of 100 connections at concurrency 32 ("sorry, too many clients already": branch
     * work refused, counted as errors). Closed when XA work comes again (no baseline call runs then).
     */
    private void releaseBaselineConnections() {
        HikariPoolMXBean pool = local.getHikariPoolMXBean();
        if (pool.getActiveConnections() == 0 && pool.getIdleConnections() > 0) {
            pool.softEvictConnections();
        }
    }

    private static XADataSource xaDataSource(String url) throws SQLException {
        if (url.startsWith("jdbc:postgresql:")) {
            PGXADataSource ds = new PGXADataSource();
            ds.setUrl(url);
            ds.setUser("postgres");
            return ds;
        }
        MariaDbDataSource ds = new MariaDbDataSource(url);
        ds.setUser("root");
        return ds;
    }

    private void increment(Connection conn) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("UPDATE " + table + " SET n = n + 1 WHERE id = ?")) {
            ps.setInt(1, ThreadLocalRandom.current().nextInt(ROWS));
            ps.executeUpdate();
        }
    }

    /** The baseline: the same update in a plain local transaction. */
    private int local() throws SQLException {
        try (Connection c = local.getConnection()) {
            c.setAutoCommit(false);
            increment(c);
            c.commit();
        }
        return 200;
    }

    String url(String path) {
        return server.url(path);
    }

    /** The sum of the counters: one per committed unit of work. */
    long total() throws SQLException {
        try (Connection c = local.getConnection(); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT COALESCE(SUM(n), 0) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Override
    public void close() throws Exception {
        server.close();
        xa.close();
        try (Connection c = local.getConnection(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
        }
        local.close();
    }
}
