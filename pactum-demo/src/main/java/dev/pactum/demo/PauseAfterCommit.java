package dev.pactum.demo;

import javax.sql.DataSource;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.time.Duration;

/**
 * The message demo's failpoint {@value #NAME}: a data source whose connections, on a thread that asked for it
 * ({@link #arm}), stop right after their commit has returned. Given to the order service's
 * {@link dev.pactum.client.msg.MessageProducer}, that is the instant between the local commit (order and barrier row
 * durable) and the submit, which the producer would call next. The thread then waits to be killed: the demo sees
 * the order committed and kills the process with {@code kill -9}, as a crash would. If nobody comes within
 * {@link #WAIT}, the process halts by itself, so a failpoint hit can never leave a service hanging.
 *
 * <p>The SDK has no hook between its commit and its submit, and needs none: the database commit is the last thing
 * the local transaction does, so stopping there is stopping before the submit.
 */
final class PauseAfterCommit {
    static final String NAME = "msg-pause-after-local-commit";
    static final Duration WAIT = Duration.ofSeconds(120);

    private static final ThreadLocal<Boolean> ARMED = ThreadLocal.withInitial(() -> false);

    private PauseAfterCommit() {
    }

    /** Runs {@code r} with the failpoint armed on this thread. */
    static <T> T armed(java.util.concurrent.Callable<T> r) throws Exception {
        ARMED.set(true);
        try {
            return r.call();
        } finally {
            ARMED.set(false);
        }
    }

    static DataSource wrap(DataSource ds) {
        return (DataSource) Proxy.newProxyInstance(PauseAfterCommit.class.getClassLoader(),
                new Class<?>[]{DataSource.class}, (proxy, m, args) -> {
                    Object r = invoke(ds, m, args);
                    return m.getName().equals("getConnection") ? connection((Connection) r) : r;
                });
    }

    private static Connection connection(Connection c) {
        return (Connection) Proxy.newProxyInstance(PauseAfterCommit.class.getClassLoader(),
                new Class<?>[]{Connection.class}, (proxy, m, args) -> {
                    Object r = invoke(c, m, args);
                    if (m.getName().equals("commit") && ARMED.get()) {
                        pause();
                    }
                    return r;
                });
    }

    private static void pause() {
        System.err.println("pactum demo: failpoint " + NAME + " hit: the local transaction committed, the submit"
                + " is not sent; waiting to be killed");
        System.err.flush();
        try {
            Thread.sleep(WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        System.err.println("pactum demo: failpoint " + NAME + ": nobody killed this process within " + WAIT
                + "; halting");
        Runtime.getRuntime().halt(137);
    }

    private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args) throws Throwable {
        try {
            return m.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
