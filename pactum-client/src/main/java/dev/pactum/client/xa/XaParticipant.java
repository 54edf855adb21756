package dev.pactum.client.xa;

import dev.pactum.api.GlobalStatus;
import dev.pactum.api.Headers;
import dev.pactum.api.UnknownTransactionException;
import dev.pactum.client.PactumClient;
import dev.pactum.client.barrier.BranchRefusedException;
import dev.pactum.client.jdbc.DatabaseKind;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.XADataSource;
import javax.transaction.xa.XAException;
import javax.transaction.xa.XAResource;
import javax.transaction.xa.Xid;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The participant side of an XA branch: runs the branch's SQL in a real XA transaction of the service's own
 * database, prepares it when the coordinator asks, commits or rolls it back when told, and after a restart
 * settles whatever it finds prepared with the coordinator's decision.
 *
 * <pre>{@code
 * XaParticipant xa = XaParticipant.builder(xaDataSource)       // PGXADataSource or MariaDbDataSource
 *         .coordinator(pactumClient)                           // where recovery asks for decisions
 *         .build();
 * xa.start();                                                  // recovery now, then every recoveryInterval
 *
 * // the business endpoint the transaction manager calls (headers Pactum-Gid, Pactum-Branch-Id)
 * XaBranchId b = XaBranchId.fromHeaders(request::getHeader);
 * XaResult r = xa.work(b.gid(), b.branchId(), conn -> {
 *     try (PreparedStatement ps = conn.prepareStatement(
 *             "UPDATE account SET balance = balance - ? WHERE id = ? AND balance >= ?")) {
 *         ...
 *         if (ps.executeUpdate() == 0) throw new BranchRefusedException("insufficient balance");
 *     }
 * });
 * response.setStatus(r.httpStatus());
 *
 * // the endpoint the coordinator calls (header Pactum-Op: prepare | commit | rollback)
 * response.setStatus(xa.handle(request.getHeader(Headers.OP), gid, branchId).httpStatus());
 * }</pre>
 *
 * <h2>A branch's life</h2>
 * {@link #work} takes an XA connection from the participant's work pool (whose connections bound every lock
 * wait and statement by {@link Builder#workTimeout}), {@code xa.start(xid)}, runs the business code on it,
 * {@code xa.end(xid, TMSUCCESS)} and keeps the connection: the branch is idle and holds its row locks until
 * {@link #prepare} prepares it on that same connection (PostgreSQL's driver requires it). The prepared
 * transaction then lives in the database, locks included, until {@link #commit} or {@link #rollback}. On
 * PostgreSQL it belongs to no session: the connection goes back to the pool at once, and phase 2 runs on a
 * connection of the reserved pool, which work never gets. On MariaDB no other session can finish it while the
 * session that prepared it lives, so the branch keeps its connection and phase 2 runs on it, which then goes
 * back to the pool; a branch whose phase 2
 * does not come within the recovery delay gives its session up (closed; the branch stays prepared). An idle
 * branch whose prepare does not come within the idle timeout is rolled back ({@link #expireIdle()}). See
 * {@link BranchState} and {@link XaConnectionPool}.
 *
 * <h2>Idempotency</h2>
 * Every call may be repeated. Work for a branch held or prepared here is not run again
 * ({@link XaResult#DUPLICATE}); a repeated prepare answers the same vote; commit and rollback of an xid the
 * database does not know succeed, after checking with {@code XAResource.recover} that it is really not there
 * (MariaDB answers "unknown xid" for a prepared transaction still attached to a live session). A prepare for a
 * branch this process does not hold (lost in a restart) is a yes only if the database lists the xid as prepared.
 *
 * <h2>Recovery</h2>
 * {@link #recoverOnce()} lists the database's prepared xids with Pactum's format id and asks the coordinator
 * about each global transaction: commit after COMMITTING or COMMITTED, roll back after ABORTING or ABORTED,
 * leave it while undecided or while the coordinator cannot be asked. A gid the coordinator does not know is an
 * orphan: it is rolled back once it has been seen as one for longer than the orphan grace period.
 *
 * <h2>Under load</h2>
 * Phase 2 and recovery never wait behind business work: they use connections reserved for them
 * ({@link Builder#phaseTwoConnections}), and a commit or rollback does not wait for a branch whose work is running.
 * Work is bounded: it waits at most {@link Builder#connectionTimeout} for a connection, and each of its lock waits
 * and statements at most {@link Builder#workTimeout}; past either it is rolled back, its connection freed, and it
 * answers {@link XaResult#RETRY}. Without this, a prepared branch on a hot row whose commit needed a connection
 * held by work waiting for that row deadlocked the participant (issue 6; docs/xa-participant.md, "Failure modes
 * under load").
 *
 * <p>Thread-safe; one instance per database. Calls on the same branch are serialized; calls on different
 * branches run in parallel, each on its own connection (at most {@link Builder#maxConnections} for work at once).
 * Ids and the xid mapping: {@link XaIds}.
 */
public final class XaParticipant implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(XaParticipant.class);

    /**
     * How long a call waits for a branch busy in another short call before answering RETRY (a commit or rollback
     * does not wait for a branch whose work is running: see finish).
     */
    static final Duration LOCK_WAIT = Duration.ofSeconds(2);

    /** How many finished branches are remembered to refuse a late work call (in memory, newest kept). */
    static final int REMEMBERED_ENDED = 10_000;

    /** Connections for business work: a branch holds one from its work to its prepare (MariaDB: to phase 2). */
    private final XaConnectionPool workPool;
    /**
     * Connections reserved for phase 2 of branches not held on a session, recovery scans and the participant's
     * own checks: never lent to work, so a commit that releases row locks never waits behind work that waits for
     * those locks.
     */
    private final XaConnectionPool phaseTwoPool;
    private final XaDialect dialect;
    private final StatusSource coordinator;
    private final Clock clock;
    private final Duration orphanGrace;
    private final Duration idleTimeout;
    private final Duration recoveryInterval;
    private final Duration recoveryDelay;
    private final Predicate<XaBranchId> recoverOnly;

    private final ConcurrentHashMap<XaBranchId, Branch> branches = new ConcurrentHashMap<>();
    private final Map<XaBranchId, Ending> ended = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<XaBranchId, Ending> eldest) {
            return size() > REMEMBERED_ENDED;
        }
    };
    private final ConcurrentHashMap<String, Instant> orphansFirstSeen = new ConcurrentHashMap<>();
    private final ReentrantLock recoveryLock = new ReentrantLock();
    private volatile boolean closed;
    private Thread loop;

    /** How a branch that is no longer held ended, remembered for late or repeated calls. */
    private enum Ending { COMMITTED, ROLLED_BACK, READ_ONLY }

    /**
     * A branch this process holds: its state, its connection (WORKING and IDLE always; PREPARED on MariaDB until
     * phase 2), and the lock of its calls.
     */
    private static final class Branch {
        final XaBranchId id;
        final Xid xid;
        final ReentrantLock lock = new ReentrantLock();
        // Written under the lock; volatile for the lock-free peeks of inFlight(), expireIdle(), recovery and close().
        volatile BranchState state = BranchState.WORKING;
        volatile XaConnectionPool.Lease connection;
        volatile Instant since;
        /** A rollback came while the work ran: the work rolls the branch back when it ends (see finish). */
        volatile boolean rollbackRequested;

        Branch(XaBranchId id, Instant now) {
            this.id = id;
            this.xid = id.xid();
            this.since = now;
        }

        void moveTo(BranchState target, Instant now) {
            state = state.checkMoveTo(target, id);
            since = now;
        }
    }

    private XaParticipant(Builder b, XaDialect dialect, XaConnectionPool workPool, XaConnectionPool phaseTwoPool) {
        this.workPool = workPool;
        this.phaseTwoPool = phaseTwoPool;
        this.dialect = dialect;
        this.coordinator = b.coordinator;
        this.clock = b.clock;
        this.orphanGrace = b.orphanGrace;
        this.idleTimeout = b.idleTimeout;
        this.recoveryInterval = b.recoveryInterval;
        this.recoveryDelay = b.recoveryDelay;
        this.recoverOnly = b.recoverOnly;
    }

    public static Builder builder(XADataSource dataSource) {
        return new Builder(dataSource);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The business call

    /**
     * Runs the branch's business code in a new XA transaction and leaves the branch idle, holding its connection
     * and locks, until the coordinator's prepare (or rollback, or the idle timeout).
     *
     * @return {@link XaResult#APPLIED} when the work ran; {@link XaResult#DUPLICATE} when this branch is already
     *         held or prepared here (the work is not run again); {@link XaResult#REFUSED} when the business code
     *         threw {@link BranchRefusedException}, the branch was already rolled back, or a rollback came
     *         while the work ran (rolled back when it ended); {@link XaResult#RETRY} when no connection was free
     *         within the connection timeout (not run), a deadlock, serialization failure, or a lock wait or
     *         statement past the work timeout rolled it back, the same branch is busy in another call, or
     *         {@link #close()} ran meanwhile (rolled back)
     * @throws dev.pactum.api.InvalidInputException naming the field when an id is malformed (nothing was done)
     * @throws RuntimeException the business code's own unchecked exception, after rolling back
     * @throws XaException      no connection, XA start failed, or a checked exception from the business code;
     *                          everything was rolled back
     * @throws IllegalStateException after {@link #close()}
     */
    public XaResult work(String gid, String branchId, XaWork work) {
        XaBranchId id = new XaBranchId(gid, branchId);
        Objects.requireNonNull(work, "work");
        if (closed) {
            throw new IllegalStateException("XA participant is closed; cannot run work for " + id);
        }
        Ending end = ending(id);
        if (end != null) {
            if (end == Ending.ROLLED_BACK) {
                log.info("XA branch {}: work arrived after the branch was rolled back; not run", id);
                return XaResult.REFUSED;
            }
            return XaResult.DUPLICATE;
        }
        Branch b = new Branch(id, clock.instant());
        b.lock.lock();
        try {
            Branch existing = branches.putIfAbsent(id, b);
            if (existing != null) {
                return repeatedWork(existing);
            }
            return runWork(b, work);
        } finally {
            b.lock.unlock();
        }
    }

    private XaResult repeatedWork(Branch existing) {
        if (!existing.lock.tryLock()) {
            return XaResult.RETRY; // the first call is still running it
        }
        try {
            return switch (existing.state) {
                case IDLE, PREPARED -> XaResult.DUPLICATE;
                case WORKING -> XaResult.RETRY; // not reachable: WORKING is only seen under the worker's lock
                case ENDED -> ending(existing.id) == Ending.ROLLED_BACK ? XaResult.REFUSED : XaResult.RETRY;
            };
        } finally {
            existing.lock.unlock();
        }
    }

    private XaResult runWork(Branch b, XaWork work) {
        XaConnectionPool.Lease c;
        try {
            c = workPool.borrow();
        } catch (XaConnectionPool.Exhausted e) {
            forget(b);
            log.warn("XA branch {}: work not run, try later: {} (branches working or idle, or on MariaDB prepared"
                    + " and waiting for phase 2; raise maxConnections or lower the load)", b.id, e.getMessage());
            return XaResult.RETRY;
        } catch (SQLException e) {
            forget(b);
            if (closed) {
                throw new IllegalStateException("XA participant is closed; cannot run work for " + b.id, e);
            }
            throw new XaException("no XA connection for branch " + b.id + ": " + e.getMessage(), e);
        }
        b.connection = c;
        boolean started = false;
        try {
            try {
                c.xa.start(b.xid, XAResource.TMNOFLAGS);
            } catch (XAException e) {
                if (e.errorCode == XAException.XAER_DUPID) {
                    // The database already has this xid: an earlier life of this participant did the work.
                    log.info("XA branch {}: the database already has this xid; work not run again", b.id);
                    workPool.discard(c);
                    forget(b);
                    return XaResult.DUPLICATE;
                }
                throw e;
            }
            started = true;
            work.run(c.connection());
            c.xa.end(b.xid, XAResource.TMSUCCESS);
            b.moveTo(BranchState.IDLE, clock.instant());
            if (closed) {
                // close() ran meanwhile and may have missed this branch: do not leave it holding locks.
                rollbackIdle(b, "participant closed during the work");
                return XaResult.RETRY;
            }
            if (b.rollbackRequested) {
                // The transaction was aborted while the work ran (see finish): do not hold its locks until the
                // coordinator's next rollback attempt.
                rollbackIdle(b, "rollback requested during the work");
                return XaResult.REFUSED;
            }
            log.debug("XA branch {}: work done, idle", b.id);
            return XaResult.APPLIED;
        } catch (Throwable t) {
            // Rolled back cleanly after a refusal or a lost race (deadlock, lock or statement timeout: answers of
            // the database, not faults of the connection): reusable. Under a hot row these are frequent, and a
            // new PostgreSQL connection costs a server process. After anything else the connection is closed,
            // which also rolls back whatever is left.
            boolean clean = started && endFailedQuietly(b);
            if (clean && (DatabaseKind.causeOf(t, BranchRefusedException.class) != null || dialect.isRetryable(t))) {
                workPool.release(c);
            } else {
                workPool.discard(c);
            }
            forget(b);
            return failedWork(b.id, t, started);
        }
    }

    private XaResult failedWork(XaBranchId id, Throwable t, boolean started) {
        BranchRefusedException refusal = DatabaseKind.causeOf(t, BranchRefusedException.class);
        if (refusal != null) {
            log.debug("XA branch {}: refused, rolled back: {}", id, refusal.getMessage());
            return XaResult.REFUSED;
        }
        if (dialect.isRetryable(t)) {
            log.debug("XA branch {}: lost a race, rolled back: {}", id, t.toString());
            return XaResult.RETRY;
        }
        if (t instanceof XAException x && isRollbackCode(x.errorCode)) {
            log.info("XA branch {}: the database rolled the branch back (XA error {}): {}", id, x.errorCode,
                    x.getMessage());
            return XaResult.REFUSED;
        }
        if (t instanceof RuntimeException re) {
            throw re;
        }
        if (t instanceof Error e) {
            throw e;
        }
        throw new XaException("XA branch " + id + (started ? " failed and was rolled back: " : " could not start: ")
                + describe(t), t);
    }

    /** Ends and rolls back the branch of a failed work; true when both went through without an error. */
    private boolean endFailedQuietly(Branch b) {
        XAResource xa = b.connection.xa;
        boolean clean = true;
        try {
            xa.end(b.xid, XAResource.TMFAIL);
        } catch (XAException | RuntimeException e) {
            clean = false;
            log.debug("XA branch {}: end(TMFAIL) failed (already ended or rolled back by the database)", b.id, e);
        }
        try {
            xa.rollback(b.xid);
        } catch (XAException | RuntimeException e) {
            clean = false;
            log.debug("XA branch {}: rollback after failed work failed; closing the connection rolls back", b.id, e);
        }
        return clean;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Calls from the coordinator

    /**
     * Runs the operation named by the {@code Pactum-Op} header on a branch: the one method a coordinator-facing
     * endpoint needs. Never throws for database or coordinator trouble: that is {@link XaResult#RETRY}.
     *
     * @param op prepare, commit or rollback (case-insensitive)
     * @throws dev.pactum.api.InvalidInputException naming the field or header when an argument is malformed
     */
    public XaResult handle(String op, String gid, String branchId) {
        return handle(XaOp.fromWire(op), gid, branchId);
    }

    /**
     * Reads the operation and the branch from the headers of a coordinator call ({@code Pactum-Op},
     * {@code Pactum-Gid}, {@code Pactum-Branch-Id}) and runs it: pass the HTTP server's header lookup, e.g.
     * {@code request::getHeader}.
     *
     * @throws dev.pactum.api.InvalidInputException naming the header when one is missing or malformed; answer 400
     */
    public XaResult handle(Function<String, String> header) {
        XaOp op = XaOp.fromWire(header.apply(Headers.OP));
        XaBranchId id = XaBranchId.fromHeaders(header);
        return handle(op, id.gid(), id.branchId());
    }

    /** @see #handle(String, String, String) */
    public XaResult handle(XaOp op, String gid, String branchId) {
        Objects.requireNonNull(op, "op");
        return switch (op) {
            case PREPARE -> prepare(gid, branchId);
            case COMMIT -> commit(gid, branchId);
            case ROLLBACK -> rollback(gid, branchId);
        };
    }

    /**
     * Phase 1: prepares the branch on the connection that did its work and votes. On PostgreSQL the connection
     * then goes back to the pool; on MariaDB it stays with the branch for phase 2 (no other session can finish
     * the branch while the one that prepared it lives).
     *
     * @return a yes ({@link XaResult#APPLIED}, {@link XaResult#READ_ONLY}, {@link XaResult#DUPLICATE} for a
     *         branch already prepared), a no ({@link XaResult#REFUSED}: the branch is not held here and not
     *         prepared in the database, or the database rolled it back), or {@link XaResult#RETRY}
     */
    public XaResult prepare(String gid, String branchId) {
        XaBranchId id = new XaBranchId(gid, branchId);
        if (closed) {
            return XaResult.RETRY;
        }
        Branch b = branches.get(id);
        if (b != null) {
            if (!lock(b)) {
                return XaResult.RETRY;
            }
            try {
                switch (b.state) {
                    case IDLE:
                        return prepareHeld(b);
                    case PREPARED:
                        return XaResult.DUPLICATE;
                    default:
                        break; // ENDED meanwhile: answer from memory or the database below
                }
            } finally {
                b.lock.unlock();
            }
        }
        Ending end = ending(id);
        if (end != null) {
            return switch (end) {
                case READ_ONLY -> XaResult.READ_ONLY;
                case COMMITTED -> XaResult.DUPLICATE;
                case ROLLED_BACK -> XaResult.REFUSED;
            };
        }
        try {
            if (isPrepared(id.xid())) {
                log.debug("XA branch {}: already prepared in the database: yes", id);
                return XaResult.DUPLICATE;
            }
        } catch (SQLException | XAException | RuntimeException e) {
            log.warn("XA branch {}: cannot tell whether it is prepared, answering try-later: {}", id, describe(e));
            return XaResult.RETRY;
        }
        log.info("XA branch {}: prepare for a branch this process does not hold and the database has not"
                + " prepared (lost in a restart, rolled back by the idle timeout, or never worked): voting no", id);
        return XaResult.REFUSED;
    }

    private XaResult prepareHeld(Branch b) {
        XaConnectionPool.Lease c = b.connection;
        Boolean aborted = abortedBeforePrepare(c);
        if (Boolean.TRUE.equals(aborted)) {
            log.warn("XA branch {}: an SQL error inside the work aborted its transaction and the work went on:"
                    + " rolled back, voting no", b.id);
            rollbackIdle(b, "aborted by an error inside the work");
            return XaResult.REFUSED;
        }
        int vote;
        try {
            vote = c.xa.prepare(b.xid);
        } catch (XAException e) {
            if (isRollbackCode(e.errorCode)) {
                log.info("XA branch {}: the database rolled it back at prepare (XA error {}): voting no: {}", b.id,
                        e.errorCode, e.getMessage());
                workPool.discard(c);
                end(b, Ending.ROLLED_BACK);
                return XaResult.REFUSED;
            }
            return prepareUncertain(b, e);
        } catch (RuntimeException e) {
            return prepareUncertain(b, e);
        }
        if (vote == XAResource.XA_RDONLY) {
            workPool.release(c); // the database finished the branch: nothing attached to the session any more
            end(b, Ending.READ_ONLY);
            log.debug("XA branch {}: read-only, nothing to commit: yes", b.id);
            return XaResult.READ_ONLY;
        }
        boolean confirmed = true;
        if (aborted == null) {
            try {
                // A fresh handle: the work may have closed the one it was given, against the rules.
                confirmed = dialect.confirmPrepared(c.newConnection(), b.xid);
            } catch (SQLException | RuntimeException e) {
                return prepareUncertain(b, e);
            }
        }
        if (!confirmed) {
            log.warn("XA branch {}: the database rolled it back instead of preparing it (an SQL error inside the"
                    + " work aborted the transaction and the work went on): voting no", b.id);
            workPool.discard(c);
            end(b, Ending.ROLLED_BACK);
            return XaResult.REFUSED;
        }
        if (dialect.finishesOnPreparingSession()) {
            b.connection = c; // MariaDB: phase 2 runs on this session (see finish)
        } else {
            b.connection = null;
            workPool.release(c); // PostgreSQL: the prepared transaction no longer belongs to any session
        }
        b.moveTo(BranchState.PREPARED, clock.instant());
        log.debug("XA branch {}: prepared: yes", b.id);
        return XaResult.APPLIED;
    }

    /**
     * Whether the branch's transaction is known to be aborted before its prepare (see
     * {@link XaDialect#abortedBeforePrepare}); null when that cannot be told without the database, and then the
     * prepare is checked after it. Never opens a new handle: on PostgreSQL that would roll the work back.
     */
    private Boolean abortedBeforePrepare(XaConnectionPool.Lease c) {
        try {
            Connection h = c.connection();
            return h == null || h.isClosed() ? null : dialect.abortedBeforePrepare(h);
        } catch (SQLException | RuntimeException e) {
            log.debug("cannot read the transaction state before the prepare; checking after it", e);
            return null;
        }
    }

    /**
     * Prepare failed without saying the branch was rolled back (connection lost...): it may or may not be
     * prepared. The connection is closed, which rolls the branch back unless it is prepared; then the database
     * tells. Voting no when it is not listed is safe even if a slow PREPARE lands later: the coordinator then
     * decides abort, and recovery rolls that leftover back.
     */
    private XaResult prepareUncertain(Branch b, Exception failure) {
        workPool.discard(b.connection);
        b.connection = null; // a branch found prepared below holds no session: any session can finish it
        try {
            if (isPrepared(b.xid)) {
                b.moveTo(BranchState.PREPARED, clock.instant());
                log.info("XA branch {}: prepare reported {} but the branch is prepared: yes", b.id, describe(failure));
                return XaResult.APPLIED;
            }
        } catch (SQLException | XAException | RuntimeException e) {
            // Not held any more: the retry asks the database again.
            failure.addSuppressed(e);
            forget(b);
            log.warn("XA branch {}: prepare failed and the database cannot be asked; try later: {}", b.id,
                    describe(failure));
            return XaResult.RETRY;
        }
        log.warn("XA branch {}: prepare failed and the branch is not prepared: voting no: {}", b.id, describe(failure));
        end(b, Ending.ROLLED_BACK);
        return XaResult.REFUSED;
    }

    /**
     * Phase 2 after a commit decision: {@code XA COMMIT} on the session that prepared the branch while this
     * process still holds it (MariaDB), else {@code COMMIT PREPARED} / {@code XA COMMIT} on a pooled connection.
     *
     * @return {@link XaResult#APPLIED}; {@link XaResult#DUPLICATE} when already committed (or the database does not
     *         know the xid); {@link XaResult#REFUSED} when this branch was never prepared or was rolled back here;
     *         {@link XaResult#RETRY} when the database cannot confirm
     */
    public XaResult commit(String gid, String branchId) {
        return finish(new XaBranchId(gid, branchId), true, false);
    }

    /**
     * Phase 2 after an abort decision, or an abort before phase 1: rolls back an idle branch on its own
     * connection, a prepared one like {@link #commit} does. Rollback of a branch the database does not know
     * succeeds, and a work call for the branch that arrives later is refused (while this process remembers).
     */
    public XaResult rollback(String gid, String branchId) {
        return finish(new XaBranchId(gid, branchId), false, false);
    }

    /**
     * Commit or rollback. {@code recovery} calls act on the coordinator's decision alone, without consulting this
     * process's memory of how a branch ended (which could be wrong about a prepare that landed late).
     */
    private XaResult finish(XaBranchId id, boolean commit, boolean recovery) {
        if (closed) {
            return XaResult.RETRY;
        }
        Branch b = branches.get(id);
        if (b != null && b.state == BranchState.WORKING) {
            // The work call holds the branch's lock until its statements end (each bounded by workTimeout):
            // do not wait for it. A rollback (an abort while the work runs) is left to the work, which rolls the
            // branch back when it ends; the coordinator's retry then finds it rolled back.
            if (!commit) {
                b.rollbackRequested = true;
            }
            log.debug("XA branch {}: {} while its work still runs; try later", id, commit ? "commit" : "rollback");
            return XaResult.RETRY;
        }
        if (b != null) {
            if (!lock(b)) {
                return XaResult.RETRY;
            }
            try {
                switch (b.state) {
                    case IDLE:
                        if (commit) {
                            log.error("XA branch {}: commit of a branch that was never prepared: refused (the"
                                    + " coordinator must prepare every branch before deciding commit)", id);
                            return XaResult.REFUSED;
                        }
                        return rollbackIdle(b, "rollback");
                    case PREPARED:
                        XaResult r = b.connection != null ? settleOnPreparingSession(b, commit) : settle(id, commit);
                        if (r != XaResult.RETRY) {
                            end(b, commit ? Ending.COMMITTED : Ending.ROLLED_BACK);
                        }
                        return r;
                    default:
                        break; // ENDED meanwhile
                }
            } finally {
                b.lock.unlock();
            }
        }
        if (!recovery) {
            Ending end = ending(id);
            if (commit && end == Ending.ROLLED_BACK || !commit && end == Ending.COMMITTED) {
                log.error("XA branch {}: {} of a branch this participant {}: refused", id, commit ? "commit" : "rollback",
                        end == Ending.ROLLED_BACK ? "rolled back (or voted no for)" : "committed");
                return XaResult.REFUSED;
            }
            if (end == Ending.READ_ONLY) {
                return XaResult.DUPLICATE;
            }
        }
        XaResult r = settle(id, commit);
        if (r != XaResult.RETRY) {
            remember(id, commit ? Ending.COMMITTED : Ending.ROLLED_BACK);
        }
        return r;
    }

    /**
     * Commits or rolls back a prepared branch on the session that prepared it (MariaDB), which then goes back to
     * the pool. On an error the session is closed, and with it its hold on the branch, so the retry can finish
     * the branch from any connection.
     */
    private XaResult settleOnPreparingSession(Branch b, boolean commit) {
        XaConnectionPool.Lease c = b.connection;
        b.connection = null;
        try {
            if (commit) {
                c.xa.commit(b.xid, false);
            } else {
                c.xa.rollback(b.xid);
            }
            workPool.release(c);
            log.debug("XA branch {}: {} done on the preparing session", b.id, commit ? "commit" : "rollback");
            return XaResult.APPLIED;
        } catch (XAException | RuntimeException e) {
            workPool.discard(c);
            return settleFailed(b.id, commit, e);
        }
    }

    /**
     * Commits or rolls back a prepared xid from a connection reserved for phase 2 (never one that work may hold);
     * "unknown xid" is confirmed with recover.
     */
    private XaResult settle(XaBranchId id, boolean commit) {
        String what = commit ? "commit" : "rollback";
        Xid xid = id.xid();
        XaConnectionPool.Lease c;
        try {
            c = phaseTwoPool.borrow();
        } catch (SQLException e) {
            log.warn("XA branch {}: no connection for {}; try later: {}", id, what, describe(e));
            return XaResult.RETRY;
        }
        try {
            if (commit) {
                c.xa.commit(xid, false);
            } else {
                c.xa.rollback(xid);
            }
            phaseTwoPool.release(c);
            log.debug("XA branch {}: {} done", id, what);
            return XaResult.APPLIED;
        } catch (XAException | RuntimeException e) {
            if (e instanceof XAException x && x.errorCode == XAException.XAER_NOTA) {
                // The database's definite "no such xid" (a repeated call, or a branch that never prepared): an
                // answer, not a fault of the connection, and it leaves nothing attached to the session.
                phaseTwoPool.release(c);
            } else {
                phaseTwoPool.discard(c);
            }
            return settleFailed(id, commit, e);
        }
    }

    /** After a commit or rollback failed: done if the database no longer lists the xid, else try later. */
    private XaResult settleFailed(XaBranchId id, boolean commit, Exception failure) {
        String what = commit ? "commit" : "rollback";
        Xid xid = id.xid();
        boolean unknownXid = failure instanceof XAException x && x.errorCode == XAException.XAER_NOTA;
        try {
            if (isPrepared(xid)) {
                // Still there: the database failed, or (MariaDB) the session that prepared it is still alive.
                log.warn("XA branch {}: {} failed and the branch is still prepared; try later: {}", id, what,
                        describe(failure));
                return XaResult.RETRY;
            }
        } catch (SQLException | XAException | RuntimeException e) {
            log.warn("XA branch {}: {} failed ({}) and the database cannot be asked; try later: {}", id, what,
                    describe(failure), describe(e));
            return XaResult.RETRY;
        }
        if (commit && failure instanceof XAException x && isRollbackCode(x.errorCode)) {
            // MariaDB answers XA_RBROLLBACK to the commit of a prepared branch that changed nothing, once the
            // session that prepared it is gone: nothing was lost. Neither database rolls back a prepared branch
            // that changed data by itself.
            log.info("XA branch {}: commit answered XA error {} and the branch is gone: a branch with nothing to"
                    + " commit", id, x.errorCode);
            return XaResult.APPLIED;
        }
        log.debug("XA branch {}: {}: not prepared in the database (already done){}", id, what,
                unknownXid ? "" : " after " + describe(failure));
        return XaResult.DUPLICATE;
    }

    private XaResult rollbackIdle(Branch b, String why) {
        XaConnectionPool.Lease c = b.connection;
        try {
            c.xa.rollback(b.xid);
            workPool.release(c);
        } catch (XAException | RuntimeException e) {
            log.debug("XA branch {}: rollback of the idle branch failed; closing its connection rolls it back", b.id, e);
            workPool.discard(c);
        }
        end(b, Ending.ROLLED_BACK);
        log.debug("XA branch {}: idle branch rolled back ({})", b.id, why);
        return XaResult.APPLIED;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Timers and recovery

    /**
     * Rolls back idle branches whose prepare has not come within the idle timeout, closing their connections so
     * their locks are released (the transaction manager may have died before submitting). A prepare that comes
     * later votes no. Branches busy in a call are skipped until the next pass.
     *
     * @return how many branches were rolled back
     */
    public int expireIdle() {
        Instant cutoff = clock.instant().minus(idleTimeout);
        int n = 0;
        for (Branch b : branches.values()) {
            if (b.state != BranchState.IDLE || b.since.isAfter(cutoff) || !b.lock.tryLock()) {
                continue;
            }
            try {
                if (b.state == BranchState.IDLE && !b.since.isAfter(cutoff)) {
                    log.warn("XA branch {}: idle since {} without a prepare (idle timeout {}): rolled back", b.id,
                            b.since, idleTimeout);
                    rollbackIdle(b, "idle timeout");
                    n++;
                }
            } finally {
                b.lock.unlock();
            }
        }
        return n;
    }

    /**
     * One recovery pass: lists the database's prepared Pactum xids ({@code XAResource.recover}) and settles each
     * with the coordinator's decision. Branches prepared here less than the recovery delay ago are left to the
     * coordinator's own phase 2. Passes do not overlap.
     *
     * @throws XaException when the database cannot be listed (nothing was done)
     */
    public RecoveryReport recoverOnce() {
        if (closed) {
            return RecoveryReport.EMPTY;
        }
        recoveryLock.lock();
        try {
            return recover();
        } finally {
            recoveryLock.unlock();
        }
    }

    /**
     * {@link #expireIdle()} then {@link #recoverOnce()}: one pass of the background loop. Also closes pooled
     * connections that nobody used for {@link XaConnectionPool#MAX_IDLE}.
     */
    public RecoveryReport runOnce() {
        int idle = expireIdle();
        workPool.closeIdle();
        phaseTwoPool.closeIdle();
        return recoverOnce().withIdleRolledBack(idle);
    }

    private RecoveryReport recover() {
        Instant scanStart = clock.instant();
        List<Xid> xids;
        try {
            xids = scan();
        } catch (SQLException | XAException e) {
            throw new XaException("cannot list prepared XA transactions: " + describe(e), e);
        }
        Instant now = clock.instant();
        Map<String, List<XaBranchId>> byGid = new LinkedHashMap<>();
        Set<XaBranchId> listed = new HashSet<>();
        int foreign = 0;
        int inFlight = 0;
        for (Xid xid : xids) {
            XaBranchId id = XaIds.branchOf(xid).orElse(null);
            if (id == null || !recoverOnly.test(id)) {
                foreign++;
                continue;
            }
            listed.add(id);
            Branch b = branches.get(id);
            if (b != null && (b.lock.isLocked() || b.state != BranchState.PREPARED
                    || b.since.isAfter(now.minus(recoveryDelay)))) {
                inFlight++;
                continue;
            }
            byGid.computeIfAbsent(id.gid(), g -> new ArrayList<>()).add(id);
        }
        forgetSettledElsewhere(listed, scanStart);
        orphansFirstSeen.keySet().retainAll(byGid.keySet());

        int committed = 0, rolledBack = 0, undecided = 0, orphansWaiting = 0, orphansRolledBack = 0,
                unreachable = 0, failed = 0;
        for (Map.Entry<String, List<XaBranchId>> e : byGid.entrySet()) {
            String gid = e.getKey();
            List<XaBranchId> ids = e.getValue();
            GlobalStatus status;
            try {
                status = coordinator.status(gid);
            } catch (RuntimeException ex) {
                // Only the coordinator's definite "no transaction <this gid>" makes an orphan; any other failure
                // (a gateway's 404, a wrong base path, an answer about another gid) says nothing: ask again later.
                if (!UnknownTransactionException.isAbout(ex, gid)) {
                    log.warn("XA recovery: cannot ask the coordinator about {} ({} branch(es) left prepared): {}",
                            gid, ids.size(), describe(ex));
                    unreachable += ids.size();
                    continue;
                }
                Instant first = orphansFirstSeen.computeIfAbsent(gid, g -> now);
                if (now.isBefore(first.plus(orphanGrace))) {
                    log.info("XA recovery: {} branch(es) of {} prepared, unknown to the coordinator since {};"
                            + " rolled back after the grace period {}", ids.size(), gid, first, orphanGrace);
                    orphansWaiting += ids.size();
                    continue;
                }
                int ok = 0;
                for (XaBranchId id : ids) {
                    if (finish(id, false, true) != XaResult.RETRY) {
                        ok++;
                    }
                }
                log.warn("XA recovery: rolled back {} orphan branch(es) of {}: unknown to the coordinator since {}",
                        ok, gid, first);
                orphansRolledBack += ok;
                failed += ids.size() - ok;
                if (ok == ids.size()) {
                    orphansFirstSeen.remove(gid);
                }
                continue;
            }
            orphansFirstSeen.remove(gid);
            Boolean commit = status == null ? null : switch (status) {
                case COMMITTING, COMMITTED -> Boolean.TRUE;
                case ABORTING, ABORTED -> Boolean.FALSE;
                default -> null; // ACTIVE, or any status before the decision
            };
            if (commit == null) {
                log.debug("XA recovery: {} is {}: {} branch(es) left prepared", gid, status, ids.size());
                undecided += ids.size();
                continue;
            }
            for (XaBranchId id : ids) {
                XaResult r = finish(id, commit, true);
                if (r == XaResult.RETRY) {
                    failed++;
                } else if (commit) {
                    committed++;
                } else {
                    rolledBack++;
                }
            }
            log.info("XA recovery: {} is {}: {} branch(es) {}", gid, status, ids.size(),
                    commit ? "committed" : "rolled back");
        }
        releasePreparingSessions(now);
        return new RecoveryReport(listed.size(), committed, rolledBack, undecided, orphansWaiting, orphansRolledBack,
                unreachable, failed, inFlight, foreign, 0);
    }

    /**
     * Drops branches held as PREPARED here whose xid the database no longer lists: another participant sharing
     * the database, or a manual command, finished them. Only those prepared before the scan began, which the scan
     * would have listed.
     */
    private void forgetSettledElsewhere(Set<XaBranchId> listed, Instant scanStart) {
        for (Branch b : branches.values()) {
            if (b.state == BranchState.PREPARED && !listed.contains(b.id) && b.since.isBefore(scanStart)
                    && b.lock.tryLock()) {
                try {
                    if (b.state == BranchState.PREPARED) {
                        log.debug("XA branch {}: no longer prepared in the database; forgotten", b.id);
                        if (b.connection != null) {
                            workPool.discard(b.connection);
                            b.connection = null;
                        }
                        b.moveTo(BranchState.ENDED, clock.instant());
                        branches.remove(b.id, b);
                    }
                } finally {
                    b.lock.unlock();
                }
            }
        }
    }

    /**
     * MariaDB: a prepared branch keeps the session that prepared it so that phase 2 runs there. One whose phase 2
     * has not come within the recovery delay (coordinator down, decision pending) gives its session up: it is
     * closed, the prepared transaction stays in the database, and from then on any session can finish it. So
     * in-doubt branches do not pin connections.
     */
    private void releasePreparingSessions(Instant now) {
        Instant cutoff = now.minus(recoveryDelay);
        for (Branch b : branches.values()) {
            if (b.state != BranchState.PREPARED || b.connection == null || b.since.isAfter(cutoff)
                    || !b.lock.tryLock()) {
                continue;
            }
            try {
                XaConnectionPool.Lease c = b.connection;
                if (b.state == BranchState.PREPARED && c != null) {
                    b.connection = null;
                    workPool.discard(c);
                    log.info("XA branch {}: prepared since {} and no phase 2 yet; the session that prepared it is"
                            + " closed (the branch stays prepared; any session can finish it now)", b.id, b.since);
                }
            } finally {
                b.lock.unlock();
            }
        }
    }

    /**
     * Starts the background loop: a recovery pass now (what a restarted participant must do first), then
     * {@link #runOnce()} every recovery interval, on a daemon thread. Idle branches are therefore rolled back
     * between one idle timeout and one idle timeout plus one interval after they went idle.
     */
    public synchronized void start() {
        if (closed) {
            throw new IllegalStateException("XA participant is closed");
        }
        if (loop != null) {
            return;
        }
        loop = Thread.ofPlatform().daemon().name("pactum-xa-recovery").start(this::loop);
    }

    private void loop() {
        while (!closed) {
            try {
                RecoveryReport r = runOnce();
                if (r.settled() > 0 || r.pending() > 0 || r.idleRolledBack() > 0) {
                    log.info("XA recovery pass: {}", r);
                }
            } catch (RuntimeException e) {
                log.error("XA recovery pass failed; trying again in {}", recoveryInterval, e);
            }
            try {
                Thread.sleep(recoveryInterval.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // State

    /**
     * Branches working or idle (worked, not yet prepared): each holds a database connection and its row locks
     * until its prepare. (On MariaDB a prepared branch also keeps its connection until phase 2; not counted.)
     */
    public int inFlight() {
        int n = 0;
        for (Branch b : branches.values()) {
            if (b.state == BranchState.WORKING || b.state == BranchState.IDLE) {
                n++;
            }
        }
        return n;
    }

    /**
     * Stops the background loop, rolls back every idle branch (a branch still running its work is cut off by
     * closing its connection) and closes every connection. Prepared branches stay prepared in the database
     * (MariaDB keeps a prepared transaction when its session closes): the coordinator's phase 2 or the next
     * participant's recovery finishes them. Calls after close: work throws, prepare, commit and rollback answer
     * {@link XaResult#RETRY}.
     */
    @Override
    public void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            t = loop;
            loop = null;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (Branch b : branches.values()) {
            if (!lock(b)) {
                // Busy in a call (work still running): cut it off; the call's own error handling cleans up.
                XaConnectionPool.Lease c = b.connection;
                if (c != null) {
                    log.warn("XA branch {}: still busy at close; closing its connection rolls it back", b.id);
                    workPool.discard(c);
                }
                continue;
            }
            try {
                if (b.state == BranchState.IDLE) {
                    rollbackIdle(b, "participant closed");
                } else if (b.state == BranchState.PREPARED && b.connection != null) {
                    workPool.discard(b.connection); // the branch stays prepared in the database
                    b.connection = null;
                }
            } finally {
                b.lock.unlock();
            }
        }
        branches.clear();
        workPool.close();
        phaseTwoPool.close();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers

    /** The prepared xids of the database, as {@code XAResource.recover} lists them (one full scan). */
    private List<Xid> scan() throws SQLException, XAException {
        XaConnectionPool.Lease c = phaseTwoPool.borrow();
        Xid[] xids;
        try {
            xids = c.xa.recover(XAResource.TMSTARTRSCAN | XAResource.TMENDRSCAN);
        } catch (XAException | RuntimeException e) {
            phaseTwoPool.discard(c);
            throw e;
        }
        phaseTwoPool.release(c);
        return xids == null ? List.of() : Arrays.asList(xids);
    }

    private boolean isPrepared(Xid xid) throws SQLException, XAException {
        for (Xid x : scan()) {
            if (x.getFormatId() == xid.getFormatId()
                    && Arrays.equals(x.getGlobalTransactionId(), xid.getGlobalTransactionId())
                    && Arrays.equals(x.getBranchQualifier(), xid.getBranchQualifier())) {
                return true;
            }
        }
        return false;
    }

    private boolean lock(Branch b) {
        try {
            return b.lock.tryLock(LOCK_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Moves a held branch to ENDED, drops it from the held table and remembers how it ended. */
    private void end(Branch b, Ending how) {
        b.connection = null;
        b.moveTo(BranchState.ENDED, clock.instant());
        branches.remove(b.id, b);
        remember(b.id, how);
    }

    /** Drops a branch whose work never took effect: nothing to remember, a retried work call may run it again. */
    private void forget(Branch b) {
        b.connection = null;
        b.moveTo(BranchState.ENDED, clock.instant());
        branches.remove(b.id, b);
    }

    private void remember(XaBranchId id, Ending how) {
        synchronized (ended) {
            ended.remove(id); // re-insert as newest
            ended.put(id, how);
        }
    }

    private Ending ending(XaBranchId id) {
        synchronized (ended) {
            return ended.get(id);
        }
    }

    /** XA_RB*: the resource manager rolled the branch back. */
    private static boolean isRollbackCode(int code) {
        return code >= XAException.XA_RBBASE && code <= XAException.XA_RBEND;
    }

    private static String describe(Throwable t) {
        String s = t instanceof XAException x ? t + " (XA error " + x.errorCode + ")" : t.toString();
        return t.getCause() != null && t.getCause() != t ? s + ", caused by " + t.getCause() : s;
    }

    @Override
    public String toString() {
        return "XaParticipant[" + dialect + ", held " + branches.size() + ", in flight " + inFlight() + ", " + workPool
                + ", " + phaseTwoPool + "]";
    }

    // ---------------------------------------------------------------------------------------------------------

    /**
     * Configuration of an {@link XaParticipant}: every setter rejects a bad value at once, {@link #build()}
     * checks the whole and connects once to learn the database.
     */
    public static final class Builder {
        private final XADataSource dataSource;
        private StatusSource coordinator;
        private Clock clock = Clock.systemUTC();
        private Duration orphanGrace = Duration.ofMinutes(5);
        private Duration idleTimeout = Duration.ofMinutes(1);
        private Duration recoveryInterval = Duration.ofSeconds(10);
        private Duration recoveryDelay = Duration.ofSeconds(30);
        private Predicate<XaBranchId> recoverOnly = b -> true;
        private int maxConnections = 32;
        private int phaseTwoConnections = 4;
        private Duration connectionTimeout = Duration.ofSeconds(2);
        private Duration workTimeout = Duration.ofSeconds(5);

        private Builder(XADataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /** Recovery asks this coordinator for decisions ({@code GET /api/v1/transactions/{gid}}). Required. */
        public Builder coordinator(PactumClient client) {
            Objects.requireNonNull(client, "client");
            this.coordinator = gid -> client.get(gid).status();
            return this;
        }

        /** Recovery asks this for decisions instead of a {@link PactumClient} (an embedded coordinator...). */
        public Builder statusSource(StatusSource source) {
            this.coordinator = Objects.requireNonNull(source, "source");
            return this;
        }

        /** Time for idle and orphan deadlines; the system UTC clock by default. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How long a prepared branch whose gid the coordinator does not know stays prepared before recovery rolls
         * it back (5 minutes by default). The coordinator knows every gid before any branch works, so an
         * unknown gid means a coordinator that lost data, a wrong coordinator, or a branch prepared by hand; the
         * grace period rides out the first kind (a coordinator restoring its store) at the cost of holding the
         * branch's locks that long.
         */
        public Builder orphanGrace(Duration grace) {
            this.orphanGrace = positive("orphanGrace", grace);
            return this;
        }

        /**
         * How long a branch may stay idle (worked, not prepared), holding a connection and its locks, before it is
         * rolled back (1 minute by default). Set it above the global transaction's timeout: a branch rolled back
         * earlier makes its prepare vote no.
         */
        public Builder idleTimeout(Duration timeout) {
            this.idleTimeout = positive("idleTimeout", timeout);
            return this;
        }

        /** Pause between two passes of the background loop (10 seconds by default). */
        public Builder recoveryInterval(Duration interval) {
            this.recoveryInterval = positive("recoveryInterval", interval);
            return this;
        }

        /**
         * A branch prepared by this process less than this long ago is left to the coordinator's phase 2 instead
         * of being settled by recovery (30 seconds by default; zero settles at once). Saves asking the coordinator
         * about every transaction in flight; a restarted process has no such memory and settles everything.
         */
        public Builder recoveryDelay(Duration delay) {
            Objects.requireNonNull(delay, "recoveryDelay");
            if (delay.isNegative()) {
                throw new IllegalArgumentException("recoveryDelay must not be negative, was " + delay);
            }
            this.recoveryDelay = delay;
            return this;
        }

        /**
         * Restricts recovery to the branches this participant is responsible for (all Pactum xids by default).
         * Needed when participants of different coordinators share a MariaDB server (XA RECOVER lists the
         * prepared transactions of every database on it) or a PostgreSQL database: one of them would otherwise
         * roll back the other's branches as orphans. Participants of one coordinator may share freely.
         */
        public Builder recoverOnly(Predicate<XaBranchId> filter) {
            this.recoverOnly = Objects.requireNonNull(filter, "filter");
            return this;
        }

        /**
         * The most XA connections for business work open at once (32 by default). They are pooled: opened when
         * needed, kept open and reused by later branches. Each branch working or idle holds one until its prepare
         * (on MariaDB until its phase 2, at most about the recovery delay). A work call that finds all of them in
         * use waits up to {@link #connectionTimeout}, then answers {@link XaResult#RETRY}. Phase 2 and recovery
         * never use these (see {@link #phaseTwoConnections}). Keep {@code maxConnections + phaseTwoConnections}
         * within the database's connection limit, counting every other client of the database.
         */
        public Builder maxConnections(int max) {
            if (max < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1, was " + max);
            }
            this.maxConnections = max;
            return this;
        }

        /**
         * XA connections reserved for commit and rollback of prepared branches (those not held on their preparing
         * session), recovery scans and the participant's own checks (4 by default). Work never gets one, so the
         * commit that would release a prepared branch's row locks never waits for a connection held by work that
         * waits for those locks. Each call holds one for a single short statement; a call that finds all in use
         * waits up to {@link #connectionTimeout}, then answers {@link XaResult#RETRY}.
         */
        public Builder phaseTwoConnections(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("phaseTwoConnections must be at least 1, was " + n);
            }
            this.phaseTwoConnections = n;
            return this;
        }

        /**
         * How long a call waits for a free pooled connection before it answers {@link XaResult#RETRY} (2 seconds
         * by default). At most 1 minute: a call must answer well within the caller's own timeout.
         */
        public Builder connectionTimeout(Duration timeout) {
            this.connectionTimeout = atMost("connectionTimeout", positive("connectionTimeout", timeout),
                    Duration.ofMinutes(1));
            return this;
        }

        /**
         * The bound on each statement of business work, and on each of its lock waits (5 seconds by default, at
         * least 1 second): PostgreSQL {@code lock_timeout} and {@code statement_timeout}, MariaDB
         * {@code innodb_lock_wait_timeout} (whole seconds, rounded up) and {@code max_statement_time}, set on every
         * work connection. A statement that hits it fails, the branch is rolled back and its connection freed,
         * and the work answers {@link XaResult#RETRY} (425), on which the transaction manager aborts. Keep it
         * below the coordinator's branch timeout and the transaction manager's request timeout, so that the
         * answer comes before the caller gives up; it must be below {@link #idleTimeout}.
         */
        public Builder workTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "workTimeout");
            if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("workTimeout must be at least 1 s (MariaDB counts lock waits in"
                        + " whole seconds), was " + timeout);
            }
            this.workTimeout = timeout;
            return this;
        }

        /** Shorthand for {@link #recoverOnly}: only branch ids starting with {@code prefix}. */
        public Builder recoverOnlyBranchesStartingWith(String prefix) {
            Objects.requireNonNull(prefix, "prefix");
            return recoverOnly(b -> b.branchId().startsWith(prefix));
        }

        /**
         * Builds the participant. Connects once to learn the database from its metadata, and on PostgreSQL checks
         * that {@code max_prepared_transactions} is above zero. Does not start the background loop.
         *
         * @throws IllegalStateException    when no coordinator is set, or the database cannot prepare transactions
         * @throws IllegalArgumentException when the database is not PostgreSQL, MariaDB or MySQL (H2 included,
         *                                  whose prepared transactions die with their connection)
         * @throws XaException              when no connection can be had
         */
        public XaParticipant build() {
            if (coordinator == null) {
                throw new IllegalStateException("an XA participant needs a coordinator to ask for decisions at"
                        + " recovery: call coordinator(PactumClient) or statusSource(...)");
            }
            if (workTimeout.compareTo(idleTimeout) >= 0) {
                throw new IllegalStateException("workTimeout " + workTimeout + " must be below idleTimeout "
                        + idleTimeout + ": a branch must be able to finish its work before it can be expired");
            }
            XaDialect dialect;
            String product;
            XaConnectionPool phaseTwo = new XaConnectionPool("phase-2", dataSource, clock, phaseTwoConnections,
                    connectionTimeout, XaConnectionPool.SessionSetup.NONE);
            XaConnectionPool.Lease c = null;
            try {
                c = phaseTwo.borrow();
                Connection conn = c.connection();
                product = conn.getMetaData().getDatabaseProductName() + " "
                        + conn.getMetaData().getDatabaseProductVersion();
                dialect = XaDialect.fromProductName(conn.getMetaData().getDatabaseProductName());
                dialect.checkReady(conn);
                phaseTwo.release(c); // the first pooled connection
            } catch (SQLException e) {
                if (c != null) {
                    phaseTwo.discard(c);
                }
                phaseTwo.close();
                throw new XaException("cannot connect to learn the XA participant's database: " + e.getMessage(), e);
            } catch (RuntimeException e) {
                if (c != null) {
                    phaseTwo.discard(c);
                }
                phaseTwo.close();
                throw e;
            }
            Duration bound = workTimeout;
            XaConnectionPool work = new XaConnectionPool("work", dataSource, clock, maxConnections,
                    connectionTimeout, conn -> dialect.boundWork(conn, bound));
            XaParticipant p = new XaParticipant(this, dialect, work, phaseTwo);
            log.info("XA participant on {} ({}): idleTimeout {}, orphanGrace {}, recoveryInterval {},"
                    + " recoveryDelay {}, maxConnections {}, phaseTwoConnections {}, connectionTimeout {},"
                    + " workTimeout {}", product, dialect, idleTimeout, orphanGrace, recoveryInterval,
                    recoveryDelay, maxConnections, phaseTwoConnections, connectionTimeout, workTimeout);
            return p;
        }

        private static Duration atMost(String name, Duration d, Duration max) {
            if (d.compareTo(max) > 0) {
                throw new IllegalArgumentException(name + " must be at most " + max + ", was " + d);
            }
            return d;
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }
    }

    /** For tests: whether a branch is held here and in which state. */
    BranchState stateOf(String gid, String branchId) {
        Branch b = branches.get(new XaBranchId(gid, branchId));
        return b == null ? null : b.state;
    }

    /** For tests: whether a branch held here has a connection attached (working, idle, or prepared on MariaDB). */
    boolean holdsConnection(String gid, String branchId) {
        Branch b = branches.get(new XaBranchId(gid, branchId));
        return b != null && b.connection != null;
    }

    /** For tests: the connection pool of business work. */
    XaConnectionPool pool() {
        return workPool;
    }

    /** For tests: the connections reserved for phase 2, recovery and checks. */
    XaConnectionPool phaseTwoPool() {
        return phaseTwoPool;
    }
}
