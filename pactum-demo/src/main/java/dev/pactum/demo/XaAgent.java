package dev.pactum.demo;

import dev.pactum.client.xa.XaParticipant;
import dev.pactum.client.xa.XaResult;
import dev.pactum.client.xa.XaWork;
import dev.pactum.demo.ServiceHttp.Call;
import dev.pactum.demo.ServiceHttp.Handler;
import dev.pactum.demo.ServiceHttp.Reply;
import org.h2.jdbcx.JdbcDataSource;
import org.mariadb.jdbc.MariaDbDataSource;
import org.postgresql.xa.PGXADataSource;

import javax.sql.XADataSource;
import java.sql.SQLException;
import java.util.Map;
import java.util.Set;

/**
 * A demo service's XA side: its {@link XaParticipant}, the endpoints the coordinator calls
 * ({@code POST /xa/prepare}, {@code /xa/commit}, {@code /xa/rollback}) and the business calls' wrapper.
 */
final class XaAgent {
    /** Crash tests: the branch is prepared in the database and the process halts before its yes is sent. */
    static final String AFTER_PREPARE = "xa-after-prepare";
    /** Crash tests: the branch voted yes; the process halts when the commit call arrives, before doing anything. */
    static final String BEFORE_COMMIT = "xa-before-commit";
    /** Crash tests: the branch is committed in the database and the process halts before the acknowledgement. */
    static final String AFTER_COMMIT = "xa-after-commit";
    private static final Set<String> KNOWN = Set.of(AFTER_PREPARE, BEFORE_COMMIT, AFTER_COMMIT);

    private final XaParticipant xa;
    private final Set<String> failpoints;

    /** @param failpoints crash tests only: where the process halts as {@code kill -9} would (empty otherwise) */
    XaAgent(XaParticipant xa, Set<String> failpoints) {
        for (String f : failpoints) {
            if (!KNOWN.contains(f)) {
                throw new IllegalArgumentException("unknown failpoint '" + f + "'; known: " + KNOWN);
            }
        }
        this.xa = xa;
        this.failpoints = Set.copyOf(failpoints);
    }

    /** An XA data source for the service's database, by the JDBC URL's kind. */
    static XADataSource dataSource(String url, String user, String password) throws SQLException {
        if (url.startsWith("jdbc:postgresql:")) {
            PGXADataSource ds = new PGXADataSource();
            ds.setUrl(url);
            ds.setUser(user != null ? user : "postgres");
            if (password != null) {
                ds.setPassword(password);
            }
            return ds;
        }
        if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) {
            MariaDbDataSource ds = new MariaDbDataSource(url);
            ds.setUser(user != null ? user : "root");
            if (password != null) {
                ds.setPassword(password);
            }
            return ds;
        }
        if (url.startsWith("jdbc:h2:")) {
            JdbcDataSource ds = new JdbcDataSource();
            ds.setURL(url);
            return ds;
        }
        throw new IllegalArgumentException("no XA data source for " + url + " (PostgreSQL, MariaDB/MySQL or H2)");
    }

    Map<String, Handler> routes() {
        return Map.of(
                "POST /xa/prepare", c -> op(c, "prepare"),
                "POST /xa/commit", c -> op(c, "commit"),
                "POST /xa/rollback", c -> op(c, "rollback"));
    }

    private Reply op(Call call, String op) {
        if (call.gid() == null || call.branchId() == null) {
            return Reply.error(400, "invalid_input", "Pactum-Gid and Pactum-Branch-Id headers are required");
        }
        if (op.equals("commit")) {
            hit(BEFORE_COMMIT);
        }
        XaResult r = xa.handle(op, call.gid(), call.branchId());
        if (r.isSuccess() && op.equals("prepare")) {
            hit(AFTER_PREPARE);
        } else if (r.isSuccess() && op.equals("commit")) {
            hit(AFTER_COMMIT);
        }
        return new Reply(r.httpStatus(), Map.of("gid", call.gid(), "op", op, "result", r.name()));
    }

    /** Halts at once, without shutdown hooks (like SIGKILL), if {@code name} is armed. */
    private void hit(String name) {
        if (failpoints.contains(name)) {
            System.err.println("pactum demo: failpoint " + name + " hit, halting");
            System.err.flush();
            Runtime.getRuntime().halt(137);
        }
    }

    /** Runs a business call's SQL as this branch's XA work and answers 200 / 409 / 425. */
    Reply work(Call call, XaWork work) {
        if (call.gid() == null || call.branchId() == null) {
            return Reply.error(400, "invalid_input", "Pactum-Gid and Pactum-Branch-Id headers are required");
        }
        XaResult r = xa.work(call.gid(), call.branchId(), work);
        return new Reply(r.httpStatus(), Map.of("gid", call.gid(), "result", r.name()));
    }
}
