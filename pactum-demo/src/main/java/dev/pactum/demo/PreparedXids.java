package dev.pactum.demo;

import dev.pactum.client.xa.XaIds;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * Looks into the databases themselves for prepared XA transactions of Pactum's (format id {@link XaIds#FORMAT_ID})
 * that nobody finished: {@code pg_prepared_xacts} on PostgreSQL, {@code XA RECOVER} on MariaDB.
 */
final class PreparedXids {
    private PreparedXids() {
    }

    /** A line per prepared transaction found, naming the database; empty when none is left. */
    static List<String> left(Collection<String> urls) throws SQLException {
        List<String> out = new ArrayList<>();
        for (String url : new LinkedHashSet<>(urls)) {
            if (url.startsWith("jdbc:postgresql:")) {
                try (Connection c = DriverManager.getConnection(url, "postgres", null);
                     Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT gid FROM pg_prepared_xacts WHERE gid LIKE '"
                             + XaIds.FORMAT_ID + "\\_%'")) {
                    while (rs.next()) {
                        out.add(DemoDatabase.describe(url) + ": " + rs.getString(1));
                    }
                }
            } else if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) {
                try (Connection c = DriverManager.getConnection(url, "root", null);
                     Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("XA RECOVER")) {
                    while (rs.next()) {
                        if (rs.getLong("formatID") == XaIds.FORMAT_ID) {
                            out.add(DemoDatabase.describe(url) + ": " + rs.getString("data"));
                        }
                    }
                }
            }
        }
        return out;
    }
}
