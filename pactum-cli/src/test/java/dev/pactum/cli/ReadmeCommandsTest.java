package dev.pactum.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README promises two commands that work on a fresh machine: one runs the demo, one runs the tests, and CI runs
 * exactly the second. A fresh machine's PostgreSQL forbids XA (max_prepared_transactions = 0), so the test
 * command must make the services ready itself; it once was a bare {@code ./mvnw -B verify} that failed 36 XA tests
 * there while CI, which prepared the services in {@code .ci/run} before it, stayed green.
 */
class ReadmeCommandsTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void readmeTestCommandIsWhatCiRunsAndPreparesTheServicesItself() throws Exception {
        List<String> commands = firstBashBlocks(Files.readString(ROOT.resolve("README.md")), 2);
        assertThat(commands).as("the README's first two bash blocks").hasSize(2);
        assertThat(commands.get(0)).isEqualTo("./pactum demo");
        String testCommand = commands.get(1);

        assertThat(lastCommandLine(Files.readString(ROOT.resolve(".ci/run"))))
                .as(".ci/run must run exactly the README's test command").isEqualTo(testCommand);

        // Run it for real but with the steps printed instead of run; only ./pactum knows the dry-run switch, so
        // a command of any other shape is refused here rather than started (it would run the suite inside itself).
        assertThat(testCommand).startsWith("./pactum ");
        List<String> steps = dryRun(testCommand);
        assertThat(steps).as("steps of '%s'", testCommand).hasSize(2);
        assertThat(steps.get(0)).endsWith("scripts/services.sh");
        assertThat(steps.get(1)).contains("mvnw -B verify");
    }

    private static List<String> firstBashBlocks(String markdown, int count) {
        List<String> blocks = new ArrayList<>();
        String[] lines = markdown.split("\n");
        for (int i = 0; i < lines.length && blocks.size() < count; i++) {
            if (lines[i].strip().equals("```bash") && i + 1 < lines.length) {
                blocks.add(lines[i + 1].strip());
            }
        }
        return blocks;
    }

    private static String lastCommandLine(String script) {
        String last = null;
        for (String line : script.split("\n")) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#") && !l.startsWith("set ") && !l.startsWith("cd ")) {
                last = l;
            }
        }
        return last;
    }

    private static List<String> dryRun(String command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).directory(ROOT.toFile()).redirectErrorStream(true);
        pb.environment().put("PACTUM_TEST_DRY_RUN", "1");
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("'" + command + "' with PACTUM_TEST_DRY_RUN=1 did not end within 60 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("exit status; output:%n%s", out).isZero();
        return out.lines().filter(l -> l.startsWith("pactum test: ")).map(l -> l.substring("pactum test: ".length()))
                .toList();
    }
}
