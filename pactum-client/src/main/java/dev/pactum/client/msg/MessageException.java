package dev.pactum.client.msg;

import dev.pactum.api.PactumException;

/**
 * A message whose local transaction did not commit, or whose outcome {@link MessageProducer#send} could not
 * learn. The {@link #code()} says which; {@link #gid()} and {@link #branchId()} name the message.
 */
public final class MessageException extends PactumException {
    /** The check-back (or a check of this process) had already rolled the message back: nothing was committed. */
    public static final String ROLLED_BACK = "message_rolled_back";
    /** The local work returned but its transaction was aborted or ended under it: rolled back, message aborted. */
    public static final String BROKEN = "local_transaction_broken";
    /** The local work threw a checked exception (the cause): rolled back, message aborted. */
    public static final String WORK_FAILED = "local_work_failed";
    /** A database failure before the commit (the cause): rolled back, message aborted. */
    public static final String DATABASE = "local_transaction_failed";
    /**
     * The commit failed and a check could not tell how it ended: the message is left to the coordinator's
     * check-back, which will answer from the barrier row once the database can.
     */
    public static final String OUTCOME_UNKNOWN = "local_outcome_unknown";

    // PactumException keeps a gid only with no cause; a message's error often has one.
    private final String gidValue;
    private final String branchId;

    /** For producers built on {@link MessageBarrier} (pactum-rocketmq): one of the codes above, or their own. */
    public MessageException(String code, String gid, String branchId, String message, Throwable cause) {
        super(code, "message " + gid + "/" + branchId + ": " + message, cause);
        this.branchId = branchId;
        this.gidValue = gid;
    }

    @Override
    public String gid() {
        return gidValue;
    }

    public String branchId() {
        return branchId;
    }
}
