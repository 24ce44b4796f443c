package dev.donjon.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every README's command blocks run as written, in order, on what looks like a fresh clone (see {@link ReadmeBlocks} for
 * the conventions and {@link ReadmeSession} for the environment). Runs after {@code package}, with the launcher
 * {@code ./donjon} and the jar this build made. Alone, from the clone:
 * {@code ./mvnw -B -pl donjon-cli -am verify -Dtest=NONE -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=ReadmeBlocksIT}
 * (add {@code -Dreadme=donjon-host} to run only the READMEs whose path starts with that text).
 */
class ReadmeBlocksIT {

    /**
     * A guard against a hang, not a speed target (each block also has one, {@link ReadmeSession#PER_BLOCK}): the
     * repository README takes about 10 min on 2 cores at load 16, about 3 min on an idle CI machine.
     */
    static final Duration PER_README = Duration.ofMinutes(40);

    @TestFactory
    Stream<DynamicTest> everyReadmeRunsAsWritten() throws IOException {
        Path repo = Path.of(System.getProperty("donjon.root", ".."))
                .toAbsolutePath()
                .normalize();
        Path shared = Path.of(System.getProperty("donjon.shared", "../../shared"))
                .toAbsolutePath()
                .normalize();
        launcherUsesThisBuild(repo);
        toolsInstalled(repo);
        System.out.println("README blocks: " + ReadmeSession.NetworkNamespace.NOTE);
        String only = System.getProperty("readme", "");
        List<Path> readmes = readmes(repo).stream()
                .filter(r -> repo.relativize(r).toString().startsWith(only))
                .toList();
        assertTrue(!readmes.isEmpty(), "no README.md under " + repo + (only.isEmpty() ? "" : " matching " + only));
        // a README without a single shell block has nothing to run or to list: no test for it, one line for all
        List<Path> quiet = new java.util.ArrayList<>();
        for (Path r : readmes) {
            ReadmeBlocks b = ReadmeBlocks.parse(r);
            if (b.blocks().isEmpty() && b.problems().isEmpty()) quiet.add(r);
        }
        if (!quiet.isEmpty()) {
            System.out.println("README blocks: no shell block in "
                    + quiet.stream().map(r -> repo.relativize(r).toString()).collect(Collectors.joining(", ")));
        }
        readmes = readmes.stream().filter(r -> !quiet.contains(r)).toList();
        return readmes.stream().map(r -> {
            String label = repo.relativize(r).toString();
            return DynamicTest.dynamicTest(label, () -> runOne(r, label, repo, shared));
        });
    }

    private void runOne(Path readme, String label, Path repo, Path shared) throws Exception {
        ReadmeBlocks blocks = ReadmeBlocks.parse(readme);
        if (!blocks.problems().isEmpty()) {
            fail(label + ": " + String.join("; ", blocks.problems()));
        }
        String skipped = blocks.skipped().stream()
                .map(s -> label + ":" + s.line() + " (" + s.what() + "): " + s.reason())
                .collect(Collectors.joining("\n  "));
        // reported as skipped, not as passed: nothing of it was checked
        Assumptions.assumeTrue(
                blocks.runsAnything(), label + ": every command block is marked not to run:\n  " + skipped);
        // outside the clone (the launcher looks for changed sources there); kept when the README fails, for a look at
        // what
        // its blocks left behind (logs/ holds the session's and each server's output)
        Path dir = Files.createTempDirectory("donjon-readme-" + label.replace('/', '_') + "-");
        Instant start = Instant.now();
        ReadmeSession.Result r = ReadmeSession.run(blocks, label, repo, shared, dir, PER_README);
        long seconds = Duration.between(start, Instant.now()).toSeconds();
        if (!r.passed()) {
            String why = !r.finished()
                    ? "did not finish within " + PER_README.toMinutes() + " min"
                    : "failed (exit status " + r.exitCode() + ")";
            fail(label + " " + why + " (everything it left is in " + dir
                    + ", the whole trace in logs/session.log); the failing block"
                    + " (trace lines are README lines):\n" + ReadmeSession.lastBlock(r.log(), 80)
                    + (r.serverLogs().isEmpty()
                            ? ""
                            : "\nservers started by the README:\n" + String.join("\n", r.serverLogs())));
        }
        deleteTree(dir);
        long ran = blocks.blocks().stream()
                .filter(b -> !(b instanceof ReadmeBlocks.Skipped))
                .count();
        String slowest = r.slowest(3).stream()
                .map(t -> label + ":" + t.line() + " " + (t.millis() + 500) / 1000 + " s")
                .collect(Collectors.joining(", "));
        System.out.println(label + ": " + ran + " blocks ran as written (" + seconds + " s; slowest: " + slowest + ")"
                + (skipped.isEmpty() ? "" : "; not run:\n  " + skipped));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> all = Files.walk(dir)) { // walk does not follow links: a link is deleted, never its target
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    /** What the READMEs' commands use beyond the base image (openssl, curl, python3; ip for the namespace): as CI installs it. */
    private static void toolsInstalled(Path repo) throws IOException {
        try {
            Process p = new ProcessBuilder(
                            "bash", repo.resolve(".ci/test-packages.sh").toString())
                    .redirectErrorStream(true)
                    .start();
            String out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor() == 0, ".ci/test-packages.sh could not install what the READMEs use: " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** Every README.md of the clone but those of build output and downloaded packages. */
    static List<Path> readmes(Path repo) throws IOException {
        try (Stream<Path> all = Files.walk(repo)) {
            return all.filter(p -> p.getFileName().toString().equals("README.md"))
                    .filter(p -> {
                        for (Path part : repo.relativize(p)) {
                            String n = part.toString();
                            if (n.equals("target") || n.equals("node_modules") || n.startsWith(".")) return false;
                        }
                        return true;
                    })
                    .sorted((a, b) -> {
                        // the repository README first: it is where a new user starts
                        int da = repo.relativize(a).getNameCount(),
                                db = repo.relativize(b).getNameCount();
                        return da != db ? Integer.compare(da, db) : a.compareTo(b);
                    })
                    .toList();
        }
    }

    /**
     * The launcher rebuilds when a source is newer than its stamp; this build has just packaged the jar from these very
     * sources, so the stamp is made current (a rebuild from inside the build would race with it).
     */
    static void launcherUsesThisBuild(Path repo) throws IOException {
        Path jar = repo.resolve("donjon-cli/target/donjon.jar");
        assertTrue(Files.isRegularFile(jar), jar + " is missing: this test runs after `package`");
        Path stamp = repo.resolve("donjon-cli/target/.donjon-built");
        if (!Files.exists(stamp)) Files.createFile(stamp);
        Files.setLastModifiedTime(stamp, FileTime.from(Instant.now()));
    }
}
