package dev.pactum.client.xa;

import javax.sql.XAConnection;
import javax.sql.XADataSource;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import java.io.PrintWriter;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * An XA resource manager in memory, for the failures a real database will not produce on demand: a prepare that
 * answers XA_RDONLY or fails with its outcome unknown, a commit that fails, a database that cannot be reached.
 * It calls itself MySQL, so the participant uses the MySQL dialect (no PostgreSQL checks).
 */
final class FakeXaDataSource implements XADataSource {
    /** What the next prepare does: return a vote, or throw. */
    interface PrepareAnswer {
        int prepare(Xid xid, Set<XaBranchId> prepared) throws XAException;
    }

    final Set<XaBranchId> prepared = ConcurrentHashMap.newKeySet();
    volatile PrepareAnswer prepareAnswer = (xid, p) -> {
        p.add(XaIds.branchOf(xid).orElseThrow());
        return XAResource.XA_OK;
    };
    volatile XAException commitFailure;
    volatile boolean unreachable;
    volatile boolean recoverFails;
    /** Connections opened and closed (physical). */
    final AtomicInteger opened = new AtomicInteger();
    final AtomicInteger closed = new AtomicInteger();
    /** Every SQL statement run through a plain Statement (only session settings are). */
    final List<String> sessionSql = new CopyOnWriteArrayList<>();
    private final List<Resource> resources = new CopyOnWriteArrayList<>();

    /** Breaks every connection open now, as a database restart would: isValid false, every XA call XAER_RMFAIL. */
    void breakOpenConnections() {
        resources.forEach(r -> r.broken = true);
    }

    static XAException xa(int code) {
        XAException e = new XAException("fake XA error " + code);
        e.errorCode = code;
        return e;
    }

    @Override
    public XAConnection getXAConnection() throws SQLException {
        if (unreachable) {
            throw new SQLException("fake database unreachable", "08001");
        }
        Resource resource = new Resource();
        resources.add(resource);
        opened.incrementAndGet();
        AtomicBoolean isClosed = new AtomicBoolean();
        Connection conn = proxy(Connection.class, (name, args) -> switch (name) {
            case "getMetaData" -> proxy(DatabaseMetaData.class, (n, a) -> switch (n) {
                case "getDatabaseProductName" -> "MySQL";
                case "getDatabaseProductVersion" -> "fake";
                default -> throw new UnsupportedOperationException(n);
            });
            case "close" -> null;
            case "isClosed" -> isClosed.get();
            case "isValid" -> !resource.broken && !unreachable && !isClosed.get();
            case "getAutoCommit" -> true;
            case "createStatement" -> proxy(Statement.class, (n, a) -> switch (n) {
                case "execute" -> { // the session settings of a work connection (XaDialect.boundWork)
                    sessionSql.add((String) a[0]);
                    yield false;
                }
                case "close" -> null;
                default -> throw new UnsupportedOperationException(n);
            });
            default -> throw new UnsupportedOperationException(name);
        });
        return proxy(XAConnection.class, (name, args) -> switch (name) {
            case "getXAResource" -> resource;
            case "getConnection" -> conn;
            case "addConnectionEventListener", "removeConnectionEventListener" -> null;
            case "close" -> {
                if (isClosed.compareAndSet(false, true)) {
                    closed.incrementAndGet();
                }
                yield null;
            }
            default -> throw new UnsupportedOperationException(name);
        });
    }

    @Override
    public XAConnection getXAConnection(String user, String password) throws SQLException {
        return getXAConnection();
    }

    private final class Resource implements XAResource {
        volatile boolean broken;
        /** The branch started on this connection and not yet prepared or rolled back. */
        volatile XaBranchId current;

        /** What a connection to a database that went away answers. */
        private void reachable() throws XAException {
            if (unreachable || broken) {
                throw xa(XAException.XAER_RMFAIL);
            }
        }

        @Override
        public void start(Xid xid, int flags) throws XAException {
            reachable();
            current = XaIds.branchOf(xid).orElseThrow();
        }

        @Override
        public void end(Xid xid, int flags) throws XAException {
            reachable();
        }

        @Override
        public int prepare(Xid xid) throws XAException {
            reachable();
            current = null;
            return prepareAnswer.prepare(xid, prepared);
        }

        @Override
        public void commit(Xid xid, boolean onePhase) throws XAException {
            reachable();
            if (commitFailure != null) {
                throw commitFailure;
            }
            finish(xid);
        }

        @Override
        public void rollback(Xid xid) throws XAException {
            reachable();
            if (XaIds.branchOf(xid).orElseThrow().equals(current)) {
                current = null; // an active or idle branch of this connection
                return;
            }
            finish(xid);
        }

        private void finish(Xid xid) throws XAException {
            if (!prepared.remove(XaIds.branchOf(xid).orElseThrow())) {
                throw xa(XAException.XAER_NOTA);
            }
        }

        @Override
        public Xid[] recover(int flag) throws XAException {
            reachable();
            if (recoverFails) {
                throw xa(XAException.XAER_RMFAIL);
            }
            List<Xid> out = new ArrayList<>();
            for (XaBranchId b : prepared) {
                out.add(b.xid());
            }
            return out.toArray(new Xid[0]);
        }

        @Override
        public void forget(Xid xid) {
        }

        @Override
        public boolean isSameRM(XAResource other) {
            return other == this;
        }

        @Override
        public int getTransactionTimeout() {
            return 0;
        }

        @Override
        public boolean setTransactionTimeout(int seconds) {
            return false;
        }
    }

    private interface Answer {
        Object answer(String method, Object[] args) throws Exception;
    }

    private static <T> T proxy(Class<T> type, Answer answer) {
        return type.cast(Proxy.newProxyInstance(FakeXaDataSource.class.getClassLoader(), new Class<?>[] {type},
                (p, m, args) -> m.getName().equals("toString") ? "fake " + type.getSimpleName()
                        : answer.answer(m.getName(), args)));
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
    }

    @Override
    public void setLoginTimeout(int seconds) {
    }

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }
}
