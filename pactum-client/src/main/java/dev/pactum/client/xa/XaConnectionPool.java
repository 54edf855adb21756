package dev.pactum.client.xa;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.ConnectionEvent;
import javax.sql.ConnectionEventListener;
import javax.sql.XAConnection;
import javax.sql.XADataSource;
import javax.transaction.xa.XAResource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A set of physical XA connections of one {@link XaParticipant}: opened on demand, at most {@code max} at once,
 * kept open between branches and lent again. Without it every branch paid for two connection setups (work, then
 * phase 2), and a PostgreSQL connection forks a server process: milliseconds of CPU each.
 *
 * <p>A participant has two: one for business work, and a small one reserved for phase 2, recovery and its own
 * checks, so that a commit which would release row locks never waits for a connection held by work that waits
 * for those very locks (issue 6). A lease belongs to the pool that lent it and must go back to it.
 *
 * <p>{@code max} counts every connection this pool opened and has not closed, lent or idle. A borrower finds one
 * idle (most recently used first, so that a quiet period lets the others age out), opens one while under the
 * maximum, or waits up to {@code maxWait} and then gets {@link Exhausted}.
 *
 * <p>Before a connection is lent again it must pass: no fatal error reported by the driver
 * ({@link ConnectionEventListener}), younger than {@link #MAX_LIFETIME}, and, once idle for
 * {@link #VALIDATE_AFTER_IDLE} or longer, {@link Connection#isValid} (one round trip; skipped for a connection
 * used moments ago, as HikariCP does). One that fails is closed and the next one tried.
 *
 * <p>The pool does not know XA. The caller decides what is clean: it gives back with {@link #release} only a
 * connection with no XA transaction attached and no error seen, and closes anything else with {@link #discard}.
 * Time for idleness and age comes from the participant's {@link Clock}; waiting for a connection is real time.
 */
final class XaConnectionPool {
    private static final Logger log = LoggerFactory.getLogger(XaConnectionPool.class);

    /** A connection idle at least this long is checked with {@code isValid} before it is lent again. */
    static final Duration VALIDATE_AFTER_IDLE = Duration.ofMillis(500);
    /** Seconds {@code isValid} may take. */
    static final int VALIDATION_TIMEOUT_SECONDS = 5;
    /** Connections are replaced after this long, so that server-side session memory does not grow forever. */
    static final Duration MAX_LIFETIME = Duration.ofMinutes(30);
    /** Idle connections not used for this long are closed by {@link #closeIdle()}. */
    static final Duration MAX_IDLE = Duration.ofMinutes(10);

    /** The caller could not have a connection within the wait: all {@code max} are lent. A try-later. */
    static final class Exhausted extends SQLTransientConnectionException {
        Exhausted(String message) {
            super(message);
        }
    }

    /** What every new physical connection of a pool runs once before it is lent (session settings). */
    @FunctionalInterface
    interface SessionSetup {
        SessionSetup NONE = c -> { };

        void apply(Connection c) throws SQLException;
    }

    /** One physical XA connection, lent to one caller at a time. */
    static final class Lease implements ConnectionEventListener {
        final XaConnectionPool pool;
        final long id;
        final XAConnection physical;
        final XAResource xa;
        final Instant created;
        private volatile Connection handle;
        private volatile Instant lastUsed;
        private volatile boolean broken;
        private final AtomicBoolean closed = new AtomicBoolean();

        private Lease(XaConnectionPool pool, long id, XAConnection physical, Instant now) throws SQLException {
            this.pool = pool;
            this.id = id;
            this.physical = physical;
            this.created = now;
            this.lastUsed = now;
            try {
                physical.addConnectionEventListener(this);
            } catch (RuntimeException e) {
                log.debug("XA connection {}: the driver takes no event listener; relying on validation", id, e);
            }
            this.xa = physical.getXAResource();
        }

        /** The logical connection of this lease, for the business work and the participant's own queries. */
        Connection connection() {
            return handle;
        }

        /** A new logical connection, replacing (and on pgjdbc closing) the current one. */
        Connection newConnection() throws SQLException {
            Connection h = physical.getConnection();
            handle = h;
            return h;
        }

        @Override
        public void connectionClosed(ConnectionEvent event) {
            // a logical handle was closed: nothing to do, the physical connection stays ours
        }

        @Override
        public void connectionErrorOccurred(ConnectionEvent event) {
            broken = true; // the driver says the physical connection is unusable (pgjdbc: SQLState 08, 57P0x ...)
        }

        boolean isClosed() {
            return closed.get();
        }

        @Override
        public String toString() {
            return "XA connection " + pool.name + "-" + id;
        }
    }

    private final String name;
    private final XADataSource dataSource;
    private final Clock clock;
    private final int max;
    private final Duration maxWait;
    private final SessionSetup setup;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition returned = lock.newCondition();
    private final ArrayDeque<Lease> idle = new ArrayDeque<>(); // first = most recently used
    private final AtomicLong opened = new AtomicLong();
    private int open; // opened and not closed, lent or idle; guarded by lock
    private boolean closed;

    /**
     * @param name    for logs and errors ("work", "phase-2")
     * @param maxWait how long {@link #borrow()} waits when all {@code max} are lent
     * @param setup   run once on every new physical connection (the work pool's statement and lock bounds)
     */
    XaConnectionPool(String name, XADataSource dataSource, Clock clock, int max, Duration maxWait,
                     SessionSetup setup) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
        this.name = name;
        this.dataSource = dataSource;
        this.clock = clock;
        this.max = max;
        this.maxWait = maxWait;
        this.setup = setup;
    }

    /**
     * A connection ready for a new XA transaction: an idle one that passed validation, or a new one.
     *
     * @throws Exhausted    all {@code max} connections are lent and none came back within the wait
     * @throws SQLException a new connection could not be opened, or the pool is closed
     */
    Lease borrow() throws SQLException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (true) {
            Lease c;
            lock.lock();
            try {
                while (true) {
                    if (closed) {
                        throw new SQLException("the XA participant's " + name + " connection pool is closed", "08003");
                    }
                    c = idle.pollFirst();
                    if (c != null) {
                        break;
                    }
                    if (open < max) {
                        open++;
                        break;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        throw new Exhausted("no " + name + " XA connection free within " + maxWait.toMillis()
                                + " ms: all " + max + " are in use");
                    }
                    try {
                        returned.awaitNanos(left);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new SQLException("interrupted while waiting for an XA connection", "08001", e);
                    }
                }
            } finally {
                lock.unlock();
            }
            if (c == null) {
                return openNew();
            }
            if (usable(c)) {
                return c;
            }
            destroy(c);
        }
    }

    private Lease openNew() throws SQLException {
        XAConnection xc = null;
        try {
            xc = dataSource.getXAConnection();
            Lease c = new Lease(this, opened.incrementAndGet(), xc, clock.instant());
            c.handle = xc.getConnection();
            setup.apply(c.handle);
            log.debug("{} opened", c);
            return c;
        } catch (SQLException | RuntimeException e) {
            if (xc != null) {
                closeQuietly(xc, "a half-opened XA connection");
            }
            closedOne();
            throw e;
        }
    }

    /** Checks an idle connection before lending it, and gives it a fresh logical handle (closing the old one). */
    private boolean usable(Lease c) {
        Instant now = clock.instant();
        if (c.broken) {
            log.debug("{}: the driver reported a fatal error; closed", c);
            return false;
        }
        if (!now.isBefore(c.created.plus(MAX_LIFETIME))) {
            log.debug("{}: older than {}; replaced", c, MAX_LIFETIME);
            return false;
        }
        try {
            // pgjdbc: a new proxy; the previous one, which earlier business code may still hold, is closed.
            Connection h = c.physical.getConnection();
            if (!now.isBefore(c.lastUsed.plus(VALIDATE_AFTER_IDLE)) && !h.isValid(VALIDATION_TIMEOUT_SECONDS)) {
                log.info("{}: no longer valid after being idle since {}; closed", c, c.lastUsed);
                return false;
            }
            c.handle = h;
            return true;
        } catch (SQLException | RuntimeException e) {
            log.info("{}: failed its check before reuse; closed: {}", c, e.toString());
            return false;
        }
    }

    /**
     * Gives back a clean connection: no XA transaction attached to it, no error seen on it. Closed instead when
     * the pool is closed, the driver reported a fatal error, or it is past its lifetime.
     */
    void release(Lease c) {
        checkOwn(c);
        if (c.isClosed()) {
            return; // cut off meanwhile (participant closing)
        }
        boolean keep = !c.broken && clock.instant().isBefore(c.created.plus(MAX_LIFETIME));
        if (keep) {
            try {
                // Both drivers answer from memory. Off means a local transaction is still open on it (pgjdbc
                // switches auto-commit off for an XA branch and back on at prepare, commit or rollback).
                keep = c.handle.getAutoCommit();
            } catch (SQLException | RuntimeException e) {
                keep = false;
            }
        }
        if (keep) {
            c.lastUsed = clock.instant();
            lock.lock();
            try {
                if (!closed) {
                    idle.addFirst(c);
                    returned.signal();
                    return;
                }
            } finally {
                lock.unlock();
            }
        }
        destroy(c);
    }

    /** Closes a connection that saw an error, or whose state is not known to be clean (closing rolls back). */
    void discard(Lease c) {
        checkOwn(c);
        destroy(c);
    }

    private void checkOwn(Lease c) {
        if (c.pool != this) {
            throw new IllegalStateException(c + " given back to the " + name + " pool, which did not lend it");
        }
    }

    private void destroy(Lease c) {
        if (c.closed.compareAndSet(false, true)) {
            closeQuietly(c.physical, c.toString());
            closedOne();
            log.debug("{} closed", c);
        }
    }

    private void closedOne() {
        lock.lock();
        try {
            open--;
            returned.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Closes idle connections unused for {@link #MAX_IDLE}; the background loop calls it. */
    int closeIdle() {
        Instant cutoff = clock.instant().minus(MAX_IDLE);
        List<Lease> old = new ArrayList<>();
        lock.lock();
        try {
            for (Iterator<Lease> it = idle.descendingIterator(); it.hasNext(); ) {
                Lease c = it.next();
                if (c.lastUsed.isAfter(cutoff)) {
                    break; // the rest were used more recently
                }
                it.remove();
                old.add(c);
            }
        } finally {
            lock.unlock();
        }
        old.forEach(this::destroy);
        return old.size();
    }

    /** Closes the idle connections; connections still lent are closed when they come back. */
    void close() {
        List<Lease> all;
        lock.lock();
        try {
            closed = true;
            all = new ArrayList<>(idle);
            idle.clear();
            returned.signalAll();
        } finally {
            lock.unlock();
        }
        all.forEach(this::destroy);
    }

    /** Connections open now, lent or idle. */
    int open() {
        lock.lock();
        try {
            return open;
        } finally {
            lock.unlock();
        }
    }

    /** Connections idle in the pool now. */
    int idle() {
        lock.lock();
        try {
            return idle.size();
        } finally {
            lock.unlock();
        }
    }

    /** Physical connections opened since the start (for tests and logs). */
    long opened() {
        return opened.get();
    }

    int max() {
        return max;
    }

    private static void closeQuietly(XAConnection xc, String what) {
        try {
            xc.close();
        } catch (SQLException | RuntimeException e) {
            log.debug("{} did not close cleanly", what, e);
        }
    }

    @Override
    public String toString() {
        return "XaConnectionPool[" + name + ": open " + open() + " of " + max + ", idle " + idle() + ", opened "
                + opened() + "]";
    }
}
