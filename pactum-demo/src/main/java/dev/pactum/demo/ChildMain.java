package dev.pactum.demo;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;

/**
 * How {@link ChildProcess} starts a demo process: {@code ChildMain <main class> <args...>} runs the main class,
 * after two things that make the parent the only one that stops it.
 *
 * <ul>
 *   <li><b>SIGINT is ignored.</b> Ctrl-C in a terminal signals the whole process group, children included: the
 *       coordinator would die at once with decisions still to deliver, and prepared branches would stay
 *       prepared. The parent's shutdown hook stops the children in order instead (see {@link DemoStop}).</li>
 *   <li><b>It ends when its parent ends.</b> A parent killed outright (SIGKILL) runs no hook; its children then
 *       exit normally (their own shutdown hooks run: a service rolls back its unprepared branches) instead of
 *       living on.</li>
 * </ul>
 */
public final class ChildMain {
    private ChildMain() {
    }

    public static void main(String[] args) throws Throwable {
        if (args.length == 0) {
            throw new IllegalArgumentException("usage: ChildMain <main class> [args...]");
        }
        Signal.handle(new Signal("INT"), SignalHandler.SIG_IGN);
        ProcessHandle.current().parent().ifPresent(parent -> parent.onExit().thenRun(() -> {
            System.err.println("pactum demo: parent process " + parent.pid() + " is gone; stopping");
            System.exit(143);
        }));
        Method main = Class.forName(args[0]).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
