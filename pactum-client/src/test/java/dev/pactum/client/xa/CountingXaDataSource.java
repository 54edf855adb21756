package dev.pactum.client.xa;

import javax.sql.XAConnection;
import javax.sql.XADataSource;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/** Wraps a real XA data source and counts the physical connections opened and closed through it. */
final class CountingXaDataSource implements XADataSource {
    private final XADataSource target;
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger closed = new AtomicInteger();

    CountingXaDataSource(XADataSource target) {
        this.target = target;
    }

    int opened() {
        return opened.get();
    }

    int closed() {
        return closed.get();
    }

    /** Physical connections open now. */
    int open() {
        return opened.get() - closed.get();
    }

    @Override
    public XAConnection getXAConnection() throws SQLException {
        return count(target.getXAConnection());
    }

    @Override
    public XAConnection getXAConnection(String user, String password) throws SQLException {
        return count(target.getXAConnection(user, password));
    }

    private XAConnection count(XAConnection xc) {
        opened.incrementAndGet();
        AtomicBoolean done = new AtomicBoolean();
        return (XAConnection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {XAConnection.class},
                (proxy, m, args) -> {
                    if (m.getName().equals("close") && done.compareAndSet(false, true)) {
                        closed.incrementAndGet();
                    }
                    try {
                        return m.invoke(xc, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return target.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        target.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        target.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return target.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return target.getParentLogger();
    }
}
