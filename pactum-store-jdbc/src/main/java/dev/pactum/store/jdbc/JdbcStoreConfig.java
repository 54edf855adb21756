package dev.pactum.store.jdbc;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the JDBC store lives. Immutable and checked at construction, so a bad value fails at start with a
 * message that names it. {@link #toString()} hides the password, so the config can be printed at start.
 *
 * @param url      {@code jdbc:postgresql:}, {@code jdbc:mariadb:} or {@code jdbc:mysql:}; it picks the dialect
 * @param user     the database user, or null when the URL or the driver supplies it
 * @param password the password, or null or empty for none
 * @param poolSize the most connections the store holds open; each running call uses one at a time
 */
public record JdbcStoreConfig(String url, String user, String password, int poolSize) {

    /** Enough for the request threads and the workers of one coordinator on a small machine. */
    public static final int DEFAULT_POOL_SIZE = 10;
    /** More connections than this only queue up inside the database. */
    public static final int MAX_POOL_SIZE = 500;

    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(password=)[^&;]*");

    public JdbcStoreConfig {
        Objects.requireNonNull(url, "url");
        if (url.isBlank()) {
            throw new IllegalArgumentException("url must not be blank");
        }
        Dialect.fromUrl(url);
        if (poolSize < 1 || poolSize > MAX_POOL_SIZE) {
            throw new IllegalArgumentException("poolSize must be within 1.." + MAX_POOL_SIZE + ", was " + poolSize);
        }
    }

    /** A config with {@link #DEFAULT_POOL_SIZE} connections. */
    public static JdbcStoreConfig of(String url, String user, String password) {
        return new JdbcStoreConfig(url, user, password, DEFAULT_POOL_SIZE);
    }

    public JdbcStoreConfig withPoolSize(int size) {
        return new JdbcStoreConfig(url, user, password, size);
    }

    @Override
    public String toString() {
        return "JdbcStoreConfig[url=" + redact(url) + ", user=" + user + ", password="
                + (password == null || password.isEmpty() ? "(none)" : "****") + ", poolSize=" + poolSize + "]";
    }

    /** The URL with any {@code password=} parameter masked, for logs and error messages. */
    static String redact(String url) {
        return url == null ? null : URL_PASSWORD.matcher(url).replaceAll("$1****");
    }
}
