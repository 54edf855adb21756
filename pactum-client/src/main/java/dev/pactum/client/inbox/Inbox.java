package dev.pactum.client.inbox;

import dev.pactum.api.MessageId;
import dev.pactum.client.jdbc.DatabaseKind;
import dev.pactum.client.jdbc.GuardedConnection;
import dev.pactum.client.jdbc.LocalTransactions;
import dev.pactum.client.jdbc.SchemaScript;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The consumer side of a transactional message: applies each message once, in the consumer's own local
 * transaction, however often it is delivered (delivery is at least once: a lost acknowledgement is a redelivery).
 *
 * <pre>{@code
 * Inbox inbox = Inbox.forDataSource(dataSource);          // the consumer's own database
 * inbox.createSchemaIfMissing();
 * // in the HTTP handler, or the broker listener:
 * InboxResult r = inbox.apply(MessageId.fromHeaders(request::getHeader), conn -> {
 *     try (PreparedStatement ps = conn.prepareStatement("UPDATE account SET balance = balance - ? WHERE id = ?")) {
 *         ...
 *     }
 * });
 * response.setStatus(r.httpStatus());                     // or ack / nack(requeue) by r.acknowledge()
 * }</pre>
 *
 * <h2>The algorithm</h2>
 * In one local transaction on a connection of its own:
 * <ol>
 *   <li>insert-if-absent the row {@code (consumer, gid, branch_id)} with a random {@code attempt} id;</li>
 *   <li>not inserted: an earlier delivery committed it: roll back (nothing was written), {@link InboxResult#ALREADY_APPLIED};</li>
 *   <li>run the work on the same connection;</li>
 *   <li>read the row back: it must still be there with this attempt's id. If not, the database rolled the
 *       transaction back under the work (or the work ended it), and committing now would report work as applied
 *       that is gone: roll back, {@link InboxTransactionLostException};</li>
 *   <li>commit: {@link InboxResult#APPLIED}. On any exception, roll back everything, inbox row included.</li>
 * </ol>
 * Concurrent duplicates are decided by the primary key alone: a second insert of the same key waits for the
 * transaction that inserted it, then conflicts if that one committed or goes through if it rolled back. So two
 * deliveries of one message never both apply it, and a failed first attempt leaves the message to the next.
 * docs/connectors.md, "The inbox", has the details per database.
 *
 * <p>Immutable and thread-safe; share one instance per data source and consumer.
 */
public final class Inbox {
    /** The inbox table; the schema scripts beside this class create it. */
    public static final String TABLE = "pactum_inbox";
    /** Width of the {@code consumer} column. */
    public static final int MAX_CONSUMER_LENGTH = 64;
    /** Rows deleted per statement by {@link #deleteOlderThan}. */
    static final int DELETE_BATCH = 1000;

    private static final Logger log = LoggerFactory.getLogger(Inbox.class);
    private static final String SELECT_ATTEMPT = "SELECT attempt FROM " + TABLE
            + " WHERE consumer = ? AND gid = ? AND branch_id = ?";

    private final DataSource dataSource;
    private final InboxDialect dialect;
    private final Clock clock;
    private final String consumer;

    private Inbox(DataSource dataSource, InboxDialect dialect, Clock clock, String consumer) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        this.dialect = Objects.requireNonNull(dialect, "dialect");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.consumer = checkConsumer(consumer);
    }

    /** An inbox over {@code dataSource} for a database named explicitly, consumer {@code "default"}. Does not connect. */
    public static Inbox of(DataSource dataSource, InboxDialect dialect) {
        return new Inbox(dataSource, dialect, Clock.systemUTC(), "default");
    }

    /**
     * An inbox with the dialect read from the connection's metadata (connects once).
     *
     * @throws InboxException when no connection can be had
     * @throws IllegalArgumentException for a database the inbox does not support
     */
    public static Inbox forDataSource(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        try (Connection conn = dataSource.getConnection()) {
            return of(dataSource, InboxDialect.fromProductName(conn.getMetaData().getDatabaseProductName()));
        } catch (SQLException e) {
            throw new InboxException(null, "cannot detect the inbox dialect: " + e.getMessage(), e);
        }
    }

    /** The same inbox with another clock for {@code applied_at} and the {@link #deleteOlderThan} guard. */
    public Inbox withClock(Clock clock) {
        return new Inbox(dataSource, dialect, clock, consumer);
    }

    /**
     * The same inbox for another consumer: two handlers in one database that both consume a message (fan-out)
     * each apply it once, under their own names.
     *
     * @throws IllegalArgumentException when the name is not 1 to {@value #MAX_CONSUMER_LENGTH} printable ASCII
     */
    public Inbox forConsumer(String consumer) {
        return new Inbox(dataSource, dialect, clock, consumer);
    }

    public InboxDialect dialect() {
        return dialect;
    }

    public String consumer() {
        return consumer;
    }

    private static String checkConsumer(String consumer) {
        if (consumer == null || consumer.isEmpty() || consumer.length() > MAX_CONSUMER_LENGTH
                || !consumer.chars().allMatch(c -> c >= '!' && c <= '~')) {
            throw new IllegalArgumentException("consumer must be 1 to " + MAX_CONSUMER_LENGTH
                    + " printable ASCII characters without spaces, was '" + consumer + "'");
        }
        return consumer;
    }

    /**
     * Applies message {@code id} with {@code work}, once: in a new local transaction together with its inbox row.
     *
     * @return how it ended; {@link InboxResult#httpStatus()} or {@link InboxResult#acknowledge()} is the answer
     * @throws InboxTransactionLostException the work returned but its transaction had been rolled back under it;
     *                                       nothing was applied
     * @throws InboxException                a database failure, an unknown commit outcome, or a checked exception
     *                                       of the work (as the cause); do not acknowledge
     * @throws RuntimeException              the work's own unchecked exception, after rolling back
     */
    public InboxResult apply(MessageId id, InboxWork work) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(work, "work");
        Connection conn;
        try {
            conn = dataSource.getConnection();
        } catch (SQLException e) {
            throw new InboxException(id, "no connection for the inbox of " + consumer + ", message " + id + ": "
                    + e.getMessage(), e);
        }
        try (conn) {
            boolean autoCommit = conn.getAutoCommit();
            if (autoCommit) {
                conn.setAutoCommit(false);
            }
            try {
                return applyInTransaction(conn, id, work);
            } finally {
                if (autoCommit) {
                    LocalTransactions.restoreAutoCommit(conn, "inbox " + consumer + ", message " + id);
                }
            }
        } catch (SQLException e) {
            throw new InboxException(id, "inbox of " + consumer + ", message " + id + " failed: " + e.getMessage(), e);
        }
    }

    private InboxResult applyInTransaction(Connection conn, MessageId id, InboxWork work) {
        String attempt = UUID.randomUUID().toString();
        boolean committing = false;
        try {
            if (!dialect.insertIfAbsent(conn, consumer, id.gid(), id.branchId(), attempt, clock.instant())) {
                conn.rollback(); // nothing written; ends the duplicate check's lock at once
                log.debug("inbox {}: message {} already applied", consumer, id);
                return InboxResult.ALREADY_APPLIED;
            }
            // The work gets a connection that refuses commit, rollback, setAutoCommit(true) and close: a commit in
            // the middle would make the inbox row durable with only part of the work, and the check below, which
            // only sees whether our row is still there, could not tell.
            GuardedConnection guarded = new GuardedConnection(conn, "inbox " + consumer + ", message " + id);
            work.apply(guarded.connection());
            if (guarded.refusedCall() != null || conn.getAutoCommit()) {
                throw new InboxTransactionLostException(id, "inbox " + consumer + ", message " + id + ": the work called "
                        + (guarded.refusedCall() != null ? guarded.refusedCall() : "something that switched auto-commit on")
                        + " on its connection; the inbox commits the work with its row, so it rolled back instead", null);
            }
            checkStillOurs(conn, id, attempt);
            committing = true;
            conn.commit();
        } catch (Throwable t) {
            LocalTransactions.rollbackQuietly(conn, "inbox " + consumer + ", message " + id, t);
            return failed(id, t, committing);
        }
        log.debug("inbox {}: message {} applied", consumer, id);
        return InboxResult.APPLIED;
    }

    /**
     * Step 4: the row this attempt inserted must still be visible in the transaction, with its attempt id. A row
     * with another attempt id is a concurrent delivery's, committed after ours was rolled back; no row means ours
     * was rolled back; on PostgreSQL an aborted transaction refuses the read itself.
     */
    private void checkStillOurs(Connection conn, MessageId id, String attempt) throws SQLException {
        String found;
        try (PreparedStatement ps = conn.prepareStatement(SELECT_ATTEMPT)) {
            ps.setString(1, consumer);
            ps.setString(2, id.gid());
            ps.setString(3, id.branchId());
            try (ResultSet rs = ps.executeQuery()) {
                found = rs.next() ? rs.getString(1) : null;
            }
        } catch (SQLException e) {
            if (dialect.isAborted(e)) {
                throw new InboxTransactionLostException(id, "inbox " + consumer + ", message " + id
                        + ": a statement of the work failed and the work went on; PostgreSQL had aborted the"
                        + " transaction, so nothing was applied (rolled back, not acknowledged)", e);
            }
            throw e;
        }
        if (!attempt.equals(found)) {
            throw new InboxTransactionLostException(id, "inbox " + consumer + ", message " + id + ": before the commit"
                    + " the inbox row of attempt " + attempt + " was " + (found == null ? "gone" : "replaced by attempt "
                    + found) + "; the database rolled the transaction back under the work (an error it caught, or a"
                    + " statement that ended the transaction), so nothing was applied (rolled back, not acknowledged)",
                    null);
        }
    }

    private InboxResult failed(MessageId id, Throwable t, boolean committing) {
        if (t instanceof InboxTransactionLostException lost) {
            log.warn("{}", lost.getMessage());
            throw lost;
        }
        MessageRefusedException refusal = DatabaseKind.causeOf(t, MessageRefusedException.class);
        if (refusal != null) {
            log.debug("inbox {}: message {} refused: {}", consumer, id, refusal.getMessage());
            return InboxResult.REFUSED;
        }
        if (dialect.isRetryable(t)) {
            log.debug("inbox {}: message {} lost a race, rolled back: {}", consumer, id, t.toString());
            return InboxResult.RETRY;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new InboxException(id, "inbox " + consumer + ", message " + id + (committing
                ? " failed at commit, outcome unknown (a redelivery will find out): "
                : " failed and was rolled back: ") + t, t);
    }

    /**
     * Creates the inbox table and its index unless they exist ({@link InboxDialect#schemaResource()}). Safe to call
     * at every start.
     *
     * @throws InboxException when a statement fails
     */
    public void createSchemaIfMissing() {
        try (Connection conn = dataSource.getConnection()) {
            SchemaScript.apply(conn, Inbox.class, dialect.schemaResource());
        } catch (SQLException e) {
            throw new InboxException(null, "cannot create " + TABLE + " (" + dialect + "): " + e.getMessage(), e);
        }
    }

    /**
     * Deletes inbox rows (of every consumer) applied before {@code cutoff}, {@value #DELETE_BATCH} per statement.
     * A row deleted while the message can still be redelivered is forgotten, and the redelivery applies the
     * message again: keep rows longer than the longest a delivery can be retried or sit in a broker (days).
     *
     * @return how many rows were deleted
     * @throws IllegalArgumentException when {@code cutoff} is after the clock's now
     * @throws InboxException when a statement fails (batches already deleted stay deleted)
     */
    public long deleteOlderThan(Instant cutoff) {
        Objects.requireNonNull(cutoff, "cutoff");
        Instant now = clock.instant();
        if (cutoff.isAfter(now)) {
            throw new IllegalArgumentException("cutoff " + cutoff + " is after now (" + now
                    + "): that would forget messages still being delivered");
        }
        long total = 0;
        try (Connection conn = dataSource.getConnection()) {
            boolean autoCommit = conn.getAutoCommit();
            if (!autoCommit) {
                conn.setAutoCommit(true); // each batch its own short transaction
            }
            try (PreparedStatement ps = conn.prepareStatement(dialect.deleteBatchSql())) {
                dialect.bindTime(ps, 1, cutoff);
                int n;
                do {
                    n = ps.executeUpdate();
                    total += n;
                } while (n >= DELETE_BATCH);
            } finally {
                if (!autoCommit) {
                    conn.setAutoCommit(false);
                }
            }
        } catch (SQLException e) {
            throw new InboxException(null, "deleting " + TABLE + " rows older than " + cutoff + " failed after " + total
                    + " rows: " + e.getMessage(), e);
        }
        log.info("deleted {} inbox rows older than {}", total, cutoff);
        return total;
    }
}
