package dev.pactum.cli;

import dev.pactum.bench.BenchCommand;
import dev.pactum.demo.DemoCommand;
import dev.pactum.server.cli.ServerCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code ./pactum}: one command line for users. Each subcommand lives in the module it runs. */
@Command(name = "pactum", mixinStandardHelpOptions = true, version = "pactum 0.1.0",
        description = "Pactum, a distributed transaction manager for Java microservices.",
        // `test` runs Maven, so the ./pactum script handles it before any JVM starts; listed here to be found.
        footer = {"", "  test    Make the machine's services ready (scripts/services.sh),",
                "          then run every test (./mvnw -B verify; extra arguments",
                "          go to Maven). Handled by the ./pactum script itself."},
        subcommands = {ServerCommand.class, DemoCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    public static void main(String[] args) {
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
