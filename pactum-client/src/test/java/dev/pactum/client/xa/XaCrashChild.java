package dev.pactum.client.xa;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A participant process for crash tests: runs the work of one branch (and prepares it in mode "prepare"), prints
 * {@value #READY}, then waits to be killed. Its recovery is never run.
 *
 * <p>Arguments: database kind, isolated database name, gid, branch id, account, amount, mode (idle | prepare).
 */
public final class XaCrashChild {
    static final String READY = "XA-CHILD-READY";

    public static void main(String[] args) throws Exception {
        XaTestDatabase db = XaTestDatabase.of(args[0], args[1]);
        XaParticipant xa = XaParticipant.builder(db.dataSource())
                .statusSource(gid -> {
                    throw new IllegalStateException("no coordinator in the crash child");
                })
                .build();
        XaResult work = xa.work(args[2], args[3], XaTestDatabase.debit(args[4], Integer.parseInt(args[5])));
        if (work != XaResult.APPLIED) {
            System.out.println("XA-CHILD-FAILED work " + work);
            System.exit(2);
        }
        if (args[6].equals("prepare")) {
            XaResult prepare = xa.prepare(args[2], args[3]);
            if (prepare != XaResult.APPLIED) {
                System.out.println("XA-CHILD-FAILED prepare " + prepare);
                System.exit(2);
            }
        }
        System.out.println(READY);
        System.out.flush();
        Thread.sleep(TimeUnit.MINUTES.toMillis(5)); // killed long before
        System.exit(3);
    }

    /** Starts the child; returns once it printed READY, failing if it exited or printed a failure first. */
    static Process start(XaTestDatabase db, String gid, String branchId, String account, int amount, String mode)
            throws IOException, InterruptedException {
        String javaCmd = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        List<String> cmd = new ArrayList<>(List.of(javaCmd, "-cp", System.getProperty("java.class.path"),
                XaCrashChild.class.getName(), db.kind(), db.name, gid, branchId, account, Integer.toString(amount), mode));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder seen = new StringBuilder();
        BufferedReader reader = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = reader.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.equals(READY)) {
                // Keep draining so the child never blocks on a full pipe while it waits to be killed.
                Thread.ofVirtual().start(() -> {
                    try {
                        reader.transferTo(Writer.nullWriter());
                    } catch (IOException ignored) {
                        // the child was killed
                    }
                });
                return p;
            }
        }
        p.waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException("crash child ended before READY (exit " + (p.isAlive() ? "-" : p.exitValue())
                + "):\n" + seen);
    }
}
