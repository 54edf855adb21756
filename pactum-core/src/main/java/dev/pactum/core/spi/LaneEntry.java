package dev.pactum.core.spi;

/**
 * One decided, undelivered branch in its lane: the branches whose operation has the same target and key
 * ({@code BranchRecord.lane()}), in the order their commits were decided. {@code seq} grows along a lane; only the
 * lowest entry (the lane's head) may be delivered (docs/messages.md, "Order per key").
 */
public record LaneEntry(String lane, long seq, String gid, String branchId) {
    /** Whether this entry is the branch {@code (gid, branchId)}. */
    public boolean is(String gid, String branchId) {
        return this.gid.equals(gid) && this.branchId.equals(branchId);
    }
}
