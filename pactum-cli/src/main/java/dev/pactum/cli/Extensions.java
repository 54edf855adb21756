package dev.pactum.cli;

import picocli.CommandLine;

/** Adds the subcommands of the demo and benchmark modules. */
final class Extensions {
    private Extensions() {
    }

    static void addTo(CommandLine cl) {
    }
}
