package dev.pactum.client.jdbc;

import java.sql.SQLException;
import java.util.Locale;

/**
 * The databases the SDK's JDBC parts run on, told apart by the driver's product name, and the one rule the barrier
 * and the inbox share: which errors mean that a local transaction lost a race (a deadlock, a serialization failure,
 * a lock timeout) and may simply run again. Internal to the SDK. (The XA participant has rules of its own: its
 * statement timeouts and XA error codes count too.)
 */
public enum DatabaseKind {
    POSTGRESQL, MYSQL, H2;

    /**
     * The kind behind a JDBC product name ({@link java.sql.DatabaseMetaData#getDatabaseProductName()}), or null
     * for a database the SDK does not support; MariaDB counts as MYSQL.
     */
    public static DatabaseKind of(String productName) {
        String p = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (p.contains("postgresql")) {
            return POSTGRESQL;
        }
        if (p.contains("mariadb") || p.contains("mysql")) {
            return MYSQL;
        }
        return p.equals("h2") ? H2 : null;
    }

    /** Whether {@code t}, or one of its causes (business code may wrap), says the transaction lost a race. */
    public boolean lostRace(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof SQLException e && lostRace(e)) {
                return true;
            }
        }
        return false;
    }

    private boolean lostRace(SQLException e) {
        String state = e.getSQLState();
        if ("40001".equals(state)) { // serialization failure; also the deadlock state of MySQL and H2
            return true;
        }
        return switch (this) {
            // 40P01 deadlock_detected, 55P03 lock_not_available (lock_timeout)
            case POSTGRESQL -> "40P01".equals(state) || "55P03".equals(state);
            // 1213 deadlock, 1205 lock wait timeout (SQLState HY000, so the code is what tells)
            case MYSQL -> e.getErrorCode() == 1213 || e.getErrorCode() == 1205;
            // 50200 lock timeout, 90131 concurrent update of the same row, 40001 deadlock
            case H2 -> e.getErrorCode() == 50200 || e.getErrorCode() == 90131 || e.getErrorCode() == 40001;
        };
    }

    /** The first of {@code t} and its causes that is a {@code type}, or null. */
    public static <T extends Throwable> T causeOf(Throwable t, Class<T> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return type.cast(c);
            }
        }
        return null;
    }
}
