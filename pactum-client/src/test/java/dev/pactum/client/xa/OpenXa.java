package dev.pactum.client.xa;

import javax.sql.XAConnection;
import javax.sql.XADataSource;
import javax.transaction.xa.XAResource;
import java.sql.Connection;
import java.sql.SQLException;

/** An XA connection usable in try-with-resources (XAConnection is not AutoCloseable). */
final class OpenXa implements AutoCloseable {
    private final XAConnection xc;
    private final XAResource xa;

    OpenXa(XADataSource ds) throws SQLException {
        this.xc = ds.getXAConnection();
        this.xa = xc.getXAResource();
    }

    XAResource getXAResource() {
        return xa;
    }

    Connection getConnection() throws SQLException {
        return xc.getConnection();
    }

    @Override
    public void close() throws SQLException {
        xc.close();
    }
}
