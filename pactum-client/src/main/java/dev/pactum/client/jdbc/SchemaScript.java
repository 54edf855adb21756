package dev.pactum.client.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits one of the SDK's own schema scripts (barrier, inbox) into statements: whole-line {@code --} comments
 * only, every statement ending with {@code ;} at the end of a line. Not a general SQL parser. Internal to the SDK.
 */
public final class SchemaScript {
    private SchemaScript() {
    }

    /**
     * Runs the statements of {@code resource} on {@code conn} (each idempotent), committing them when the
     * connection is not in auto-commit mode.
     */
    public static void apply(Connection conn, Class<?> owner, String resource) throws SQLException {
        try (Statement st = conn.createStatement()) {
            for (String sql : statements(owner, resource)) {
                st.execute(sql);
            }
        }
        if (!conn.getAutoCommit()) {
            conn.commit();
        }
    }

    /** The statements of {@code resource}, found beside {@code owner}. */
    public static List<String> statements(Class<?> owner, String resource) {
        String script;
        try (InputStream in = owner.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("schema resource " + resource + " missing beside " + owner.getName());
            }
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + resource, e);
        }
        StringBuilder current = new StringBuilder();
        List<String> statements = new ArrayList<>();
        for (String line : script.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                String sql = current.toString().strip();
                statements.add(sql.substring(0, sql.length() - 1));
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            throw new IllegalStateException(resource + " ends without ';'");
        }
        return statements;
    }
}
