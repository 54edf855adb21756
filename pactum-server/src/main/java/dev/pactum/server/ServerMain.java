package dev.pactum.server;

import dev.pactum.server.cli.ServerCommand;
import picocli.CommandLine;

/** Entry point of a coordinator process on its own (tests start it this way; users run {@code ./pactum server}). */
public final class ServerMain {
    private ServerMain() {
    }

    public static void main(String[] args) {
        int code = new CommandLine(new ServerCommand()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }
}
