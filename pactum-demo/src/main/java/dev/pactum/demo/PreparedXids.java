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
import java.util.Set;
import java.util.Base64;
import java.nio.charset.StandardCharsets;

/**
 * Looks into the databases themselves for prepared XA transactions of this run (format id {@link XaIds#FORMAT_ID}
 * and one of the run's global ids) that nobody finished: {@code pg_prepared_xacts} on PostgreSQL, {@code XA RECOVER}
 * on MariaDB. Other users of the same database server (another demo, a test) are none of the run's business.
 */
final class PreparedXids {
    private PreparedXids() {
    }

    private static String decode(String base64) {
        try {
            return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** A line per prepared transaction of {@code gids} found, naming the database; empty when none is left. */
    static List<String> left(Collection<String> urls, Set<String> gids) throws SQLException {
        List<String> out = new ArrayList<>();
        for (String url : new LinkedHashSet<>(urls)) {
            if (url.startsWith("jdbc:postgresql:")) {
                try (Connection c = DriverManager.getConnection(url, "postgres", null);
                     Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT gid FROM pg_prepared_xacts WHERE gid LIKE '"
                             + XaIds.FORMAT_ID + "\\_%'")) {
                    while (rs.next()) {
                        // The driver's text form: <format id>_<base64 gtrid>_<base64 bqual>.
                        String[] parts = rs.getString(1).split("_");
                        String gid = parts.length == 3 ? decode(parts[1]) : "";
                        if (gids.contains(gid)) {
                            out.add(DemoDatabase.describe(url) + ": " + gid + "/" + decode(parts[2]));
                        }
                    }
                }
            } else if (url.startsWith("jdbc:mariadb:") || url.startsWith("jdbc:mysql:")) {
                try (Connection c = DriverManager.getConnection(url, "root", null);
                     Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("XA RECOVER")) {
                    while (rs.next()) {
                        String data = rs.getString("data");
                        int gtridLength = rs.getInt("gtrid_length");
                        String gid = data.length() >= gtridLength ? data.substring(0, gtridLength) : data;
                        if (rs.getLong("formatID") == XaIds.FORMAT_ID && gids.contains(gid)) {
                            out.add(DemoDatabase.describe(url) + ": " + gid + "/" + data.substring(gid.length()));
                        }
                    }
                }
            }
        }
        return out;
    }
}
