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

/**
 * A demo service's XA side: its {@link XaParticipant}, the endpoints the coordinator calls
 * ({@code POST /xa/prepare}, {@code /xa/commit}, {@code /xa/rollback}) and the business calls' wrapper.
 */
final class XaAgent {
    private final XaParticipant xa;

    XaAgent(XaParticipant xa) {
        this.xa = xa;
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
        XaResult r = xa.handle(op, call.gid(), call.branchId());
        return new Reply(r.httpStatus(), Map.of("gid", call.gid(), "op", op, "result", r.name()));
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
