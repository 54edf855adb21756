package dev.pactum.api;

/** Header names carried by every branch call (DESIGN.md, conventions). */
public final class Headers {
    public static final String GID = "Pactum-Gid";
    public static final String BRANCH_ID = "Pactum-Branch-Id";
    public static final String OP = "Pactum-Op";
    public static final String TRACEPARENT = "traceparent";

    private Headers() {
    }
}
