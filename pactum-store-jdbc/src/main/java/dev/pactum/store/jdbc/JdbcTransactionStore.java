package dev.pactum.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.pactum.api.BranchStatus;
import dev.pactum.api.GlobalStatus;
import dev.pactum.api.TxPattern;
import dev.pactum.core.model.BranchRecord;
import dev.pactum.core.model.GlobalTransaction;
import dev.pactum.core.spi.AddBranchResult;
import dev.pactum.core.spi.BeginChecks;
import dev.pactum.core.spi.BeginResult;
import dev.pactum.core.spi.BranchUpdate;
import dev.pactum.core.spi.LaneEntry;
import dev.pactum.core.spi.TransactionStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A {@link TransactionStore} in PostgreSQL or MySQL/MariaDB, which several coordinator processes can share.
 *
 * <ul>
 *   <li>Every status change is one {@code UPDATE ... WHERE gid = ? AND status = ? AND version = ?}: the database's
 *       row lock decides races, and an update count of 0 means another writer won.</li>
 *   <li>{@link #addBranch} bumps the global version in the same local transaction as the insert, so a decision
 *       computed from an older branch list loses its compare-and-set.</li>
 *   <li>{@link #claimDue} leases work with {@code SELECT ... FOR UPDATE SKIP LOCKED}, so concurrent workers of
 *       several coordinators pass each other by instead of queueing on the same rows.</li>
 *   <li>Instants are stored as epoch milliseconds and always come from the caller's clock, never from the
 *       database's {@code now()}: values returned by this store are truncated to milliseconds.</li>
 * </ul>
 *
 * <p>Connections come from a HikariCP pool in READ COMMITTED. Every write is committed before its method returns,
 * which is the durability {@link TransactionStore} asks for.
 */
public final class JdbcTransactionStore implements TransactionStore {
    private static final Logger log = LoggerFactory.getLogger(JdbcTransactionStore.class);

    private static final String GLOBAL_COLUMNS = "gid, pattern, status, reason, created_at, updated_at, timeout_at, "
            + "next_attempt_at, owner, lease_until, version";
    private static final String BRANCH_COLUMNS = "gid, branch_id, status, operations, attempts, last_error,"
            + " created_at, updated_at";

    /** Built from the enum, so that a status added later cannot be forgotten by the claim and the count. */
    private static final String UNFINISHED = Arrays.stream(GlobalStatus.values())
            .filter(s -> !s.isFinal())
            .map(s -> "'" + s.name() + "'")
            .collect(Collectors.joining(", "));

    private static final String INSERT_GLOBAL = "INSERT INTO pactum_global (" + GLOBAL_COLUMNS + ")"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String INSERT_BRANCH = "INSERT INTO pactum_branch (" + BRANCH_COLUMNS + ")"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String SELECT_GLOBAL = "SELECT " + GLOBAL_COLUMNS + " FROM pactum_global WHERE gid = ?";
    private static final String SELECT_STATUS = "SELECT status FROM pactum_global WHERE gid = ?";
    private static final String SELECT_BRANCHES = "SELECT " + BRANCH_COLUMNS + " FROM pactum_branch WHERE gid = ?"
            + " ORDER BY seq";
    private static final String SELECT_BRANCH = "SELECT " + BRANCH_COLUMNS + " FROM pactum_branch"
            + " WHERE gid = ? AND branch_id = ?";
    /** Takes the row lock that orders a new branch against status changes, and tells them about it. */
    private static final String BUMP_FOR_BRANCH = "UPDATE pactum_global SET version = version + 1"
            + " WHERE gid = ? AND status = ?";
    private static final String CAS_GLOBAL = "UPDATE pactum_global SET pattern = ?, status = ?, reason = ?,"
            + " created_at = ?, updated_at = ?, timeout_at = ?, next_attempt_at = ?, owner = ?, lease_until = ?,"
            + " version = ? WHERE gid = ? AND status = ? AND version = ?";
    /** A branch's operations never change after registration, so an update writes only its progress. */
    private static final String CAS_BRANCH = "UPDATE pactum_branch SET status = ?, attempts = ?, last_error = ?,"
            + " updated_at = ? WHERE gid = ? AND branch_id = ? AND status = ? AND attempts = ?";
    /**
     * Due, unfinished, and not leased by someone else at {@code now} (the negation of
     * {@link GlobalTransaction#isLeasedAt}). Rows another claimer has locked are skipped, not waited for.
     */
    private static final String SELECT_DUE = "SELECT " + GLOBAL_COLUMNS + " FROM pactum_global"
            + " WHERE status IN (" + UNFINISHED + ") AND next_attempt_at <= ?"
            + " AND (owner IS NULL OR lease_until IS NULL OR lease_until <= ? OR owner = ?)"
            + " ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED";
    private static final String RELEASE_LEASES = "UPDATE pactum_global SET owner = NULL, lease_until = NULL,"
            + " next_attempt_at = CASE WHEN status = 'ACTIVE' THEN next_attempt_at ELSE ? END, version = version + 1"
            + " WHERE owner = ? AND status IN (" + UNFINISHED + ")";
    private static final String SELECT_LANE_TAIL = "SELECT last_seq FROM pactum_lane_tail WHERE lane = ?";
    private static final String INSERT_LANE = "INSERT INTO pactum_lane (lane, seq, gid, branch_id) VALUES (?, ?, ?, ?)";
    private static final String SELECT_LANE_HEAD = "SELECT seq, gid, branch_id FROM pactum_lane WHERE lane = ?"
            + " ORDER BY seq LIMIT 1";
    private static final String SELECT_LANE_SEQ = "SELECT seq FROM pactum_lane WHERE lane = ? AND gid = ?"
            + " AND branch_id = ?";
    private static final String DELETE_LANE = "DELETE FROM pactum_lane WHERE lane = ? AND seq = ?";
    /** Tries of a decision with lanes that the database rolled back to break a deadlock. */
    private static final int DEADLOCK_TRIES = 3;
    private static final String COUNT_UNFINISHED = "SELECT COUNT(*) FROM pactum_global"
            + " WHERE status IN (" + UNFINISHED + ")";

    private final HikariDataSource dataSource;
    private final Dialect dialect;
    private final String name;
    private final String where;
    private final String insertGlobal;

    private JdbcTransactionStore(HikariDataSource dataSource, Dialect dialect, String name, String where) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.name = name;
        this.where = where;
        this.insertGlobal = dialect.insertUnlessPresent(INSERT_GLOBAL, "gid");
    }

    /**
     * Connects, creates the tables if they are missing, and returns the store. The dialect follows the URL's
     * scheme. Fails at once, naming the URL and user, if the database cannot be reached.
     */
    public static JdbcTransactionStore open(JdbcStoreConfig config) {
        Objects.requireNonNull(config, "config");
        Dialect dialect = Dialect.fromUrl(config.url());
        String name = Dialect.scheme(config.url());
        String where = name + " at " + JdbcStoreConfig.redact(config.url());

        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("pactum-store-" + name);
        hikari.setJdbcUrl(config.url());
        hikari.setUsername(config.user());
        hikari.setPassword(config.password());
        hikari.setMaximumPoolSize(config.poolSize());
        hikari.setAutoCommit(true);
        // READ COMMITTED everywhere. MySQL's default REPEATABLE READ would take gap locks on the ranges a claim
        // scans, so concurrent claimers would wait for, or deadlock with, each other instead of skipping rows.
        hikari.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
        HikariDataSource dataSource;
        try {
            dataSource = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
            throw new JdbcStoreException("cannot open the transaction store on " + where + " as user " + config.user()
                    + ": " + e.getMessage(), e);
        }
        try {
            JdbcTransactionStore store = new JdbcTransactionStore(dataSource, dialect, name, where);
            store.createSchemaIfMissing();
            store.refuseEarlierSchema();
            log.info("transaction store opened: {}", config);
            return store;
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    // ---------------------------------------------------------------- TransactionStore

    @Override
    public BeginResult begin(GlobalTransaction tx, List<BranchRecord> branches) {
        BeginChecks.check(tx, branches);
        GlobalTransaction t = millis(tx);
        SqlWork<BeginResult> work = c -> {
            if (insert(c, insertGlobal, ps -> bindGlobal(ps, t))) {
                for (BranchRecord b : branches) {
                    BranchRecord m = millis(b);
                    try (PreparedStatement ps = c.prepareStatement(INSERT_BRANCH)) {
                        bindBranch(ps, m);
                        ps.executeUpdate();
                    }
                }
                return new BeginResult(t, true);
            }
            // The gid is taken. Rows are never deleted while a coordinator may still ask for them, so it is there.
            GlobalTransaction existing = findGlobal(c, t.gid()).orElseThrow(() -> new IllegalStateException(
                    "begin of " + t.gid() + ": the gid is taken but no row can be read on " + where));
            return new BeginResult(existing, false);
        };
        // With branches, the rows go in one local transaction: all of them with the transaction, or none.
        return branches.isEmpty() ? call("begin of " + t.gid(), work) : inTransaction("begin of " + t.gid(), work);
    }

    @Override
    public Optional<GlobalTransaction> find(String gid) {
        Objects.requireNonNull(gid, "gid");
        return call("find of " + gid, c -> findGlobal(c, gid));
    }

    @Override
    public List<BranchRecord> branches(String gid) {
        Objects.requireNonNull(gid, "gid");
        return call("reading the branches of " + gid, c -> {
            try (PreparedStatement ps = c.prepareStatement(SELECT_BRANCHES)) {
                ps.setString(1, gid);
                try (ResultSet rs = ps.executeQuery()) {
                    List<BranchRecord> result = new ArrayList<>();
                    while (rs.next()) {
                        result.add(readBranch(rs));
                    }
                    return result;
                }
            }
        });
    }

    @Override
    public AddBranchResult addBranch(BranchRecord branch, GlobalStatus requiredStatus) {
        Objects.requireNonNull(branch, "branch");
        Objects.requireNonNull(requiredStatus, "requiredStatus");
        BranchRecord b = millis(branch);
        String what = "adding branch " + b.branchId() + " to " + b.gid() + " while " + requiredStatus;
        // One more round only if the transaction entered requiredStatus between our update and our read; statuses
        // move forward, so a second round settles it.
        for (int round = 1; round <= 3; round++) {
            AddBranchResult r = inTransaction(what, c -> addBranchOnce(c, b, requiredStatus));
            if (r != null) {
                return r;
            }
        }
        throw new IllegalStateException(what + ": the transaction kept moving into " + requiredStatus
                + " while being read, 3 times in a row on " + where);
    }

    /** One attempt of {@link #addBranch}, in a local transaction; null if it must be tried again. */
    private AddBranchResult addBranchOnce(Connection c, BranchRecord b, GlobalStatus requiredStatus)
            throws SQLException {
        // The version bump comes first because it takes the row lock: from here until commit no compare-and-set can
        // slip a decision in between the status check and the insert, and concurrent adds to this transaction
        // queue up, which makes the duplicate check below race-free and the branch sequence follow the
        // registration order.
        int bumped;
        try (PreparedStatement ps = c.prepareStatement(BUMP_FOR_BRANCH)) {
            ps.setString(1, b.gid());
            ps.setString(2, requiredStatus.name());
            bumped = ps.executeUpdate();
        }
        if (bumped == 0) {
            c.rollback();
            Optional<GlobalStatus> status = statusOf(c, b.gid());
            if (status.isEmpty()) {
                return new AddBranchResult.NoSuchTransaction();
            }
            return status.get() == requiredStatus ? null : new AddBranchResult.WrongStatus(status.get());
        }
        // Looked up rather than left to the primary key: under the row lock nobody else can add this branch now,
        // and a refused insert would be logged as an error by the MySQL drivers on every repeated registration.
        Optional<BranchRecord> existing = findBranch(c, b.gid(), b.branchId());
        if (existing.isPresent()) {
            c.rollback(); // undo the version bump: a refused branch changes nothing
            return new AddBranchResult.Duplicate(existing.get());
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_BRANCH)) {
            bindBranch(ps, b);
            ps.executeUpdate();
        }
        return new AddBranchResult.Added(b);
    }

    @Override
    public Optional<GlobalTransaction> compareAndSet(GlobalTransaction expected, GlobalTransaction updated) {
        GlobalTransaction stored = checkGlobalUpdate(expected, updated);
        String what = "compareAndSet of " + expected.gid() + " from " + expected.status() + "/v" + expected.version()
                + " to " + updated.status();
        SqlWork<Integer> cas = c -> casGlobal(c, expected, stored);
        int changed = TransactionStore.mustSync(expected.status(), updated.status()) ? call(what, cas) : lazily(what, true, cas);
        return changed == 1 ? Optional.of(stored) : Optional.empty();
    }

    /** Checks a compare-and-set's arguments and returns the value it stores (version + 1, milliseconds). */
    private static GlobalTransaction checkGlobalUpdate(GlobalTransaction expected, GlobalTransaction updated) {
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(updated, "updated");
        if (!expected.gid().equals(updated.gid())) {
            throw new IllegalArgumentException("compareAndSet of " + expected.gid() + " was given a value for "
                    + updated.gid());
        }
        // Records made with moveTo are checked already; this catches one built by hand before it is persisted.
        expected.status().checkMoveTo(updated.status(), expected.gid());
        return millis(updated).withVersion(expected.version() + 1);
    }

    private static int casGlobal(Connection c, GlobalTransaction expected, GlobalTransaction stored) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CAS_GLOBAL)) {
            ps.setString(1, stored.pattern().name());
            ps.setString(2, stored.status().name());
            ps.setString(3, stored.reason());
            setInstant(ps, 4, stored.createdAt());
            setInstant(ps, 5, stored.updatedAt());
            setInstant(ps, 6, stored.timeoutAt());
            setInstant(ps, 7, stored.nextAttemptAt());
            ps.setString(8, stored.owner());
            setInstant(ps, 9, stored.leaseUntil());
            ps.setLong(10, stored.version());
            ps.setString(11, expected.gid());
            ps.setString(12, expected.status().name());
            ps.setLong(13, expected.version());
            return ps.executeUpdate();
        }
    }

    /**
     * The compare-and-set and the lane entries in one transaction. Each entry first increments its lane's tail row,
     * whose lock is held until the commit: a second decision of the same lane waits there, so decisions of a lane
     * commit in the order of their seqs and a lane's head is always the earliest decided. Lanes are locked in
     * sorted order (two decisions never wait on each other in a cycle); a deadlock the database breaks anyway
     * (InnoDB's insert of a new tail row) is retried.
     */
    @Override
    public Optional<GlobalTransaction> compareAndSet(GlobalTransaction expected, GlobalTransaction updated,
                                                     List<BranchRecord> ordered) {
        if (ordered.isEmpty()) {
            return compareAndSet(expected, updated);
        }
        GlobalTransaction stored = checkGlobalUpdate(expected, updated);
        List<BranchRecord> byLane = new ArrayList<>(ordered);
        for (BranchRecord b : byLane) {
            if (!b.gid().equals(expected.gid()) || b.lane() == null) {
                throw new IllegalArgumentException("branch " + b.branchId() + " of " + b.gid()
                        + " cannot join a lane at the decision of " + expected.gid());
            }
        }
        byLane.sort(java.util.Comparator.comparing(BranchRecord::lane)); // stable: one lane keeps branch order
        String what = "compareAndSet with lanes of " + expected.gid() + " from " + expected.status() + "/v"
                + expected.version() + " to " + updated.status();
        for (int attempt = 1; ; attempt++) {
            try {
                boolean changed = inTransaction(what, c -> {
                    if (casGlobal(c, expected, stored) != 1) {
                        return false;
                    }
                    for (BranchRecord b : byLane) {
                        appendToLane(c, b);
                    }
                    return true;
                });
                return changed ? Optional.of(stored) : Optional.empty();
            } catch (JdbcStoreException e) {
                if (attempt >= DEADLOCK_TRIES || !(e.getCause() instanceof SQLException sql && dialect.isDeadlock(sql))) {
                    throw e;
                }
                log.debug("{}: deadlock broken by the database, trying again", what);
            }
        }
    }

    private void appendToLane(Connection c, BranchRecord b) throws SQLException {
        String lane = b.lane();
        try (PreparedStatement ps = c.prepareStatement(dialect.laneTailIncrement())) {
            ps.setString(1, lane);
            ps.executeUpdate();
        }
        long seq;
        try (PreparedStatement ps = c.prepareStatement(SELECT_LANE_TAIL)) {
            ps.setString(1, lane);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("lane " + lane + " has no tail row right after its increment");
                }
                seq = rs.getLong(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_LANE)) {
            ps.setString(1, lane);
            ps.setLong(2, seq);
            ps.setString(3, b.gid());
            ps.setString(4, b.branchId());
            ps.executeUpdate();
        }
    }

    @Override
    public Optional<LaneEntry> laneHead(String lane) {
        return call("head of lane " + lane, c -> {
            try (PreparedStatement ps = c.prepareStatement(SELECT_LANE_HEAD)) {
                ps.setString(1, lane);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(new LaneEntry(lane, rs.getLong(1), rs.getString(2), rs.getString(3)))
                            : Optional.<LaneEntry>empty();
                }
            }
        });
    }

    /** Removes a delivered branch's entry from its lane, in the transaction that records it delivered. */
    private static void leaveLane(Connection c, BranchRecord b) throws SQLException {
        Long seq = null;
        try (PreparedStatement ps = c.prepareStatement(SELECT_LANE_SEQ)) {
            ps.setString(1, b.lane());
            ps.setString(2, b.gid());
            ps.setString(3, b.branchId());
            try (ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    seq = rs.getLong(1);
                }
            }
        }
        if (seq != null) {
            try (PreparedStatement ps = c.prepareStatement(DELETE_LANE)) {
                ps.setString(1, b.lane());
                ps.setLong(2, seq);
                ps.executeUpdate();
            }
        }
    }

    @Override
    public boolean updateBranch(BranchRecord expected, BranchRecord updated) {
        BranchRecord u = checkBranchUpdate(expected, updated);
        String what = "updateBranch of " + expected.branchId() + " in " + expected.gid() + " from "
                + expected.status() + "/attempt " + expected.attempts() + " to " + updated.status();
        // A branch's answer is never synced (docs/core.md): lost in a server crash, the branch is called again.
        boolean oneStatement = !(u.status().isFinal() && u.lane() != null);
        return lazily(what, oneStatement, c -> updateBranchIn(c, expected, u));
    }

    /**
     * A whole phase-2 round in one local transaction, so one commit instead of one per branch and one for the
     * status: every branch update, then the compare-and-set if all of them matched. The branch updates that matched
     * are committed either way, as they would have been one by one. The commit waits for the disk only if the
     * compare-and-set's move must ({@link TransactionStore#mustSync}); branch answers never need it.
     */
    @Override
    public Optional<GlobalTransaction> updateBranchesAndSet(List<BranchUpdate> updates, GlobalTransaction expected,
                                                            GlobalTransaction updated) {
        GlobalTransaction stored = checkGlobalUpdate(expected, updated);
        List<BranchUpdate> checked = new ArrayList<>(updates.size());
        for (BranchUpdate bu : updates) {
            if (!bu.expected().gid().equals(expected.gid())) {
                throw new IllegalArgumentException("updateBranchesAndSet of " + expected.gid() + " was given branch "
                        + bu.expected().branchId() + " of " + bu.expected().gid());
            }
            checked.add(new BranchUpdate(bu.expected(), checkBranchUpdate(bu.expected(), bu.updated())));
        }
        String what = "updateBranchesAndSet of " + expected.gid() + " (" + updates.size() + " branches) from "
                + expected.status() + "/v" + expected.version() + " to " + updated.status();
        SqlWork<Boolean> round = c -> {
            boolean all = true;
            for (BranchUpdate bu : checked) {
                all &= updateBranchIn(c, bu.expected(), bu.updated());
            }
            return all && casGlobal(c, expected, stored) == 1;
        };
        boolean changed = inTransaction(what, !TransactionStore.mustSync(expected.status(), updated.status()), round);
        return changed ? Optional.of(stored) : Optional.empty();
    }

    /** Checks an updateBranch's arguments and returns the value it stores (milliseconds). */
    private static BranchRecord checkBranchUpdate(BranchRecord expected, BranchRecord updated) {
        Objects.requireNonNull(expected, "expected");
        Objects.requireNonNull(updated, "updated");
        if (!expected.gid().equals(updated.gid()) || !expected.branchId().equals(updated.branchId())) {
            throw new IllegalArgumentException("updateBranch of " + expected.branchId() + " in " + expected.gid()
                    + " was given a value for " + updated.branchId() + " in " + updated.gid());
        }
        if (!expected.operations().equals(updated.operations())) {
            throw new IllegalArgumentException("updateBranch of " + expected.branchId() + " in " + expected.gid()
                    + " would change its operations; they are fixed at registration");
        }
        expected.status().checkMoveTo(updated.status(), expected.gid(), expected.branchId());
        return millis(updated);
    }

    /** One branch's compare-and-set inside {@code c}'s transaction; a delivered keyed message leaves its lane too. */
    private static boolean updateBranchIn(Connection c, BranchRecord expected, BranchRecord u) throws SQLException {
        // MySQL drivers count matched rows, not changed ones (CLIENT_FOUND_ROWS), so an update that writes the
        // same values still counts 1 there, as it does in PostgreSQL.
        if (casBranch(c, expected, u) != 1) {
            return false;
        }
        if (u.status().isFinal() && u.lane() != null) {
            leaveLane(c, u);
        }
        return true;
    }

    private static int casBranch(Connection c, BranchRecord expected, BranchRecord u) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(CAS_BRANCH)) {
            ps.setString(1, u.status().name());
            ps.setInt(2, u.attempts());
            ps.setString(3, u.lastError());
            setInstant(ps, 4, u.updatedAt());
            ps.setString(5, expected.gid());
            ps.setString(6, expected.branchId());
            ps.setString(7, expected.status().name());
            ps.setInt(8, expected.attempts());
            return ps.executeUpdate();
        }
    }

    @Override
    public List<GlobalTransaction> list(GlobalStatus status, String afterGid, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        StringBuilder sql = new StringBuilder("SELECT ").append(GLOBAL_COLUMNS).append(" FROM pactum_global");
        List<String> params = new ArrayList<>(2);
        if (status != null) {
            sql.append(" WHERE status = ?");
            params.add(status.name());
        }
        if (afterGid != null) {
            sql.append(params.isEmpty() ? " WHERE" : " AND").append(" gid > ?");
            params.add(afterGid);
        }
        sql.append(" ORDER BY gid LIMIT ?");
        return call("listing " + (status == null ? "all" : status) + " after " + afterGid, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
                int i = 1;
                for (String p : params) {
                    ps.setString(i++, p);
                }
                ps.setInt(i, limit);
                return readGlobals(ps);
            }
        });
    }

    @Override
    public List<GlobalTransaction> claimDue(String owner, Instant now, Instant leaseUntil, int limit) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(now, "now");
        Objects.requireNonNull(leaseUntil, "leaseUntil");
        if (owner.isBlank()) {
            throw new IllegalArgumentException("owner must not be blank");
        }
        if (!leaseUntil.isAfter(now)) {
            throw new IllegalArgumentException("leaseUntil " + leaseUntil + " must be after now " + now);
        }
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        Instant at = millis(now);
        Instant until = millis(leaseUntil);
        return inTransaction("claim of up to " + limit + " due transactions by " + owner, c -> {
            List<GlobalTransaction> due;
            try (PreparedStatement ps = c.prepareStatement(SELECT_DUE)) {
                setInstant(ps, 1, at);
                setInstant(ps, 2, at);
                ps.setString(3, owner);
                ps.setInt(4, limit);
                due = readGlobals(ps);
            }
            if (due.isEmpty()) {
                return List.of();
            }
            // The rows are locked by the SELECT until commit, so nobody can change them in between.
            String sql = "UPDATE pactum_global SET owner = ?, lease_until = ?, updated_at = ?, version = version + 1"
                    + " WHERE gid IN (" + String.join(", ", Collections.nCopies(due.size(), "?")) + ")";
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, owner);
                setInstant(ps, 2, until);
                setInstant(ps, 3, at);
                int i = 4;
                for (GlobalTransaction t : due) {
                    ps.setString(i++, t.gid());
                }
                int changed = ps.executeUpdate();
                if (changed != due.size()) {
                    throw new IllegalStateException("claim by " + owner + " locked " + due.size()
                            + " transactions but updated " + changed + " on " + where + ": "
                            + due.stream().map(GlobalTransaction::gid).toList());
                }
            }
            List<GlobalTransaction> claimed = new ArrayList<>(due.size());
            for (GlobalTransaction t : due) {
                claimed.add(t.leasedTo(owner, until, at).withVersion(t.version() + 1));
            }
            return claimed;
        });
    }

    @Override
    public int releaseLeases(String owner, Instant now) {
        Objects.requireNonNull(owner, "owner");
        Instant at = millis(Objects.requireNonNull(now, "now"));
        return inTransaction("release of the leases of " + owner, c -> {
            try (PreparedStatement ps = c.prepareStatement(RELEASE_LEASES)) {
                setInstant(ps, 1, at);
                ps.setString(2, owner);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public long countUnfinished() {
        return call("counting unfinished transactions", c -> {
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(COUNT_UNFINISHED)) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    @Override
    public String name() {
        return name;
    }

    /** Closes the pool; calls after this fail. Closing twice is harmless. */
    @Override
    public void close() {
        dataSource.close();
    }

    @Override
    public String toString() {
        return "JdbcTransactionStore[" + where + "]";
    }

    // ---------------------------------------------------------------- schema

    private void createSchemaIfMissing() {
        List<String> statements = statements(readSchema(dialect));
        inTransaction("creating the tables if missing", c -> {
            try (Statement s = c.createStatement()) {
                if (dialect.schemaLock() != null) {
                    s.execute(dialect.schemaLock());
                }
                for (String sql : statements) {
                    s.execute(sql);
                }
            }
            return null;
        });
    }

    /**
     * Tables left by a version of Pactum from before operations were data (one column per URL) pass the
     * idempotent script untouched; say so at start, with what to do, rather than fail on the first branch.
     */
    private void refuseEarlierSchema() {
        inTransaction("checking the schema", c -> {
            try (Statement s = c.createStatement()) {
                s.executeQuery("SELECT operations FROM pactum_branch WHERE 1 = 0").close();
            } catch (SQLException e) {
                throw new IllegalStateException("table pactum_branch in " + where + " was made by an earlier Pactum"
                        + " (a column per URL, no 'operations' column). Let that version finish its unfinished"
                        + " transactions, then drop pactum_branch and pactum_global, or use a new database"
                        + " (docs/stores-jdbc.md, 'Schema changes')", e);
            }
            return null;
        });
    }

    private static String readSchema(Dialect dialect) {
        try (InputStream in = JdbcTransactionStore.class.getResourceAsStream(dialect.schemaResource())) {
            if (in == null) {
                throw new IllegalStateException("schema resource " + dialect.schemaResource() + " is missing from "
                        + "the class path, next to " + JdbcTransactionStore.class.getName());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read schema resource " + dialect.schemaResource(), e);
        }
    }

    /** The statements of a schema script: lines starting with {@code --} dropped, the rest split on semicolons. */
    static List<String> statements(String script) {
        String code = script.lines()
                .filter(line -> !line.strip().startsWith("--"))
                .collect(Collectors.joining("\n"));
        return Arrays.stream(code.split(";"))
                .map(String::strip)
                .filter(s -> !s.isEmpty())
                .toList();
    }

    // ---------------------------------------------------------------- rows

    private static Optional<GlobalTransaction> findGlobal(Connection c, String gid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_GLOBAL)) {
            ps.setString(1, gid);
            List<GlobalTransaction> found = readGlobals(ps);
            return found.isEmpty() ? Optional.empty() : Optional.of(found.getFirst());
        }
    }

    private static Optional<GlobalStatus> statusOf(Connection c, String gid) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_STATUS)) {
            ps.setString(1, gid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(enumOf(GlobalStatus.class, rs.getString(1), "status", gid))
                        : Optional.empty();
            }
        }
    }

    private static Optional<BranchRecord> findBranch(Connection c, String gid, String branchId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(SELECT_BRANCH)) {
            ps.setString(1, gid);
            ps.setString(2, branchId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(readBranch(rs)) : Optional.empty();
            }
        }
    }

    private static List<GlobalTransaction> readGlobals(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            List<GlobalTransaction> result = new ArrayList<>();
            while (rs.next()) {
                result.add(readGlobal(rs));
            }
            return result;
        }
    }

    /** Reads the columns in {@link #GLOBAL_COLUMNS} order. */
    private static GlobalTransaction readGlobal(ResultSet rs) throws SQLException {
        String gid = rs.getString(1);
        return new GlobalTransaction(gid, enumOf(TxPattern.class, rs.getString(2), "pattern", gid),
                enumOf(GlobalStatus.class, rs.getString(3), "status", gid), rs.getString(4), instant(rs, 5),
                instant(rs, 6), instant(rs, 7), instant(rs, 8), rs.getString(9), instant(rs, 10), rs.getLong(11));
    }

    /** Reads the columns in {@link #BRANCH_COLUMNS} order. */
    private static BranchRecord readBranch(ResultSet rs) throws SQLException {
        String gid = rs.getString(1);
        String branchId = rs.getString(2);
        return new BranchRecord(gid, branchId, enumOf(BranchStatus.class, rs.getString(3), "branch status", gid),
                OperationsJson.decode(rs.getString(4), branchId + " of " + gid), rs.getInt(5), rs.getString(6),
                instant(rs, 7), instant(rs, 8));
    }

    /** Binds the columns in {@link #GLOBAL_COLUMNS} order. */
    private static void bindGlobal(PreparedStatement ps, GlobalTransaction t) throws SQLException {
        ps.setString(1, t.gid());
        ps.setString(2, t.pattern().name());
        ps.setString(3, t.status().name());
        ps.setString(4, t.reason());
        setInstant(ps, 5, t.createdAt());
        setInstant(ps, 6, t.updatedAt());
        setInstant(ps, 7, t.timeoutAt());
        setInstant(ps, 8, t.nextAttemptAt());
        ps.setString(9, t.owner());
        setInstant(ps, 10, t.leaseUntil());
        ps.setLong(11, t.version());
    }

    /** Binds the columns in {@link #BRANCH_COLUMNS} order. */
    private static void bindBranch(PreparedStatement ps, BranchRecord b) throws SQLException {
        ps.setString(1, b.gid());
        ps.setString(2, b.branchId());
        ps.setString(3, b.status().name());
        ps.setString(4, OperationsJson.encode(b.operations()));
        ps.setInt(5, b.attempts());
        ps.setString(6, b.lastError());
        setInstant(ps, 7, b.createdAt());
        setInstant(ps, 8, b.updatedAt());
    }

    /** Runs {@code sql}; false if the key was taken (whether the dialect skipped the row or refused it). */
    private boolean insert(Connection c, String sql, Binder binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            if (dialect.isDuplicateKey(e)) {
                return false;
            }
            throw e;
        }
    }

    private static void setInstant(PreparedStatement ps, int index, Instant value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.BIGINT);
        } else {
            ps.setLong(index, value.toEpochMilli());
        }
    }

    private static Instant instant(ResultSet rs, int index) throws SQLException {
        long millis = rs.getLong(index);
        return rs.wasNull() ? null : Instant.ofEpochMilli(millis);
    }

    /** A stored enum name; a name this version does not know (a newer coordinator wrote it?) says where it is. */
    private static <E extends Enum<E>> E enumOf(Class<E> type, String value, String column, String gid) {
        try {
            return Enum.valueOf(type, value);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new IllegalStateException("transaction " + gid + " has " + column + " '" + value
                    + "', which this version of Pactum does not know", e);
        }
    }

    /** What the store keeps: the same value with every instant truncated to milliseconds. */
    private static GlobalTransaction millis(GlobalTransaction t) {
        return new GlobalTransaction(t.gid(), t.pattern(), t.status(), t.reason(), millis(t.createdAt()),
                millis(t.updatedAt()), millis(t.timeoutAt()), millis(t.nextAttemptAt()), t.owner(),
                millis(t.leaseUntil()), t.version());
    }

    private static BranchRecord millis(BranchRecord b) {
        return new BranchRecord(b.gid(), b.branchId(), b.status(), b.operations(), b.attempts(), b.lastError(),
                millis(b.createdAt()), millis(b.updatedAt()));
    }

    private static Instant millis(Instant i) {
        return i == null ? null : Instant.ofEpochMilli(i.toEpochMilli());
    }

    // ---------------------------------------------------------------- connections

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    /** Runs {@code work} on a pooled connection in auto-commit mode: each statement commits on its own. */
    private <T> T call(String what, SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    /**
     * Runs {@code work} in one local transaction and commits it; rolls back on any exception. {@code work} may
     * roll back itself to refuse a change and go on reading (the commit that follows then commits nothing).
     */
    private <T> T inTransaction(String what, SqlWork<T> work) {
        return inTransaction(what, false, work);
    }

    /**
     * {@code work} in one local transaction whose commit need not wait for the disk where the database allows it
     * ({@link Dialect#lazyCommit}); only for writes that a restart rebuilds by driving the transaction again.
     * {@code oneStatement}: the work is a single statement, which needs no transaction where nothing is lowered.
     */
    private <T> T lazily(String what, boolean oneStatement, SqlWork<T> work) {
        if (oneStatement && dialect.lazyCommit() == null) {
            return call(what, work); // auto-commit: a transaction of its own would only add round trips
        }
        return inTransaction(what, true, work);
    }

    private <T> T inTransaction(String what, boolean lazy, SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                String lazyCommit = lazy ? dialect.lazyCommit() : null;
                if (lazyCommit != null) {
                    try (Statement st = c.createStatement()) {
                        st.execute(lazyCommit);
                    }
                }
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
            // The pool puts auto-commit back when the connection is returned.
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    private JdbcStoreException failure(String what, SQLException e) {
        return new JdbcStoreException(what + " failed on " + where + ": SQLState " + e.getSQLState() + ", error "
                + e.getErrorCode() + ": " + e.getMessage(), e);
    }
}
