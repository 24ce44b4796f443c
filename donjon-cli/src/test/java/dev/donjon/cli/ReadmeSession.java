package dev.donjon.cli;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs one README's command blocks as a new user would: in one shell, in order, in a fresh directory that looks like a
 * clone (its top-level entries link to this clone's, {@code examples/} is a copy, {@code ../shared} is beside it), with
 * an empty home directory and none of the caller's environment but {@code JAVA_HOME}. Where the kernel allows it the
 * shell gets a network namespace of its own (a loopback nobody else uses), so the READMEs' fixed ports cannot collide
 * with other builds on the machine.
 *
 * <p>The generated script puts every block's lines at their own README line numbers, so that {@code set -x} and a
 * failure name the README line ({@code + README.md:42: ./donjon ...}).
 */
final class ReadmeSession {

    /** What a README run left behind: how it ended, its output (shell trace included), and each block's time. */
    record Result(boolean finished, int exitCode, String log, List<String> serverLogs, List<BlockTime> times) {
        boolean passed() {
            return finished && exitCode == 0 && log.contains(DONE);
        }

        /** The {@code n} slowest blocks, slowest first: where to look when the test gets slow. */
        List<BlockTime> slowest(int n) {
            return times.stream()
                    .sorted(java.util.Comparator.comparingLong(BlockTime::millis)
                            .reversed())
                    .limit(n)
                    .toList();
        }
    }

    /** How long the block whose fence is at README line {@code line} ran (a server block: until it listened). */
    record BlockTime(int line, long millis) {}

    static final String DONE = "readme-test: every block ran";

    /**
     * A guard against a hang, not a speed target: a block still running after this long stops the README at once, the
     * block named (the slowest, the quick start, takes about 4 min at load 16 on 2 cores).
     */
    static final Duration PER_BLOCK = Duration.ofMinutes(15);

    private ReadmeSession() {}

    /** The bash script for these blocks; {@code label} names the README in traces. */
    static String script(ReadmeBlocks readme, String label, Path logs) {
        return script(readme, label, logs, PER_BLOCK);
    }

    /** As above, with the time after which a block counts as hung. */
    static String script(ReadmeBlocks readme, String label, Path logs, Duration perBlock) {
        int last = 1;
        for (ReadmeBlocks.Block b : readme.blocks()) {
            switch (b) {
                case ReadmeBlocks.Run r ->
                    last = Math.max(last, r.firstLine() + r.lines().size());
                case ReadmeBlocks.Server s ->
                    last = Math.max(last, s.firstLine() + s.lines().size());
                case ReadmeBlocks.Skipped k -> {}
            }
        }
        String[] lines = new String[last + 1];
        String q = label.replace("'", "");
        // line 1: everything the blocks run under; the README's line 1 is its title, never a block
        lines[0] = "echo $$ >'" + logs.resolve("pgid") + "'; set -e; PS4='+ " + q + ":$LINENO (${SECONDS}s): '; "
                + "trap 'echo \"readme-test: " + q + ":$LINENO: exit status $?: $BASH_COMMAND\" >&2' ERR; "
                // __block LINE: the block fenced at LINE starts (its predecessor's time goes to logs/times); a watchdog
                // stops the whole README, saying which block, when one runs longer than PER_BLOCK
                + "__at=; __since=; __dog=; __block() { local -; set +x; local now=${EPOCHREALTIME/[.,]/}; "
                + "[ -z \"$__at\" ] || echo \"$__at $(( (now - __since) / 1000 ))\" >>'" + logs.resolve("times") + "'; "
                + "__at=$1; __since=$now; [ -z \"$__dog\" ] || kill \"$__dog\" 2>/dev/null || true; __dog=; [ \"$1\" != end ] || return 0; "
                + "( sleep " + perBlock.toSeconds() + "; echo \"readme-test: " + q
                + ":$1: the block fenced here still runs after "
                + perBlock.toSeconds() + " s: stopping the README\" >&2; kill -TERM -- -$$ ) & __dog=$!; }; "
                + "__ready() { local -; set +x; local line=$1 pid=$2 a h deadline=$((SECONDS + 300)); shift 2; for a in \"$@\"; do "
                + "h=${a%:*}; h=${h#[}; h=${h%]}; case $h in 0.0.0.0|''|::) h=127.0.0.1;; esac; "
                + "until (exec 3<>\"/dev/tcp/$h/${a##*:}\") 2>/dev/null; do "
                + "kill -0 \"$pid\" 2>/dev/null || { echo \"readme-test: " + q
                + ":$line: the block stopped before it listened on $a\" >&2; return 1; }; "
                + "[ $SECONDS -lt $deadline ] || { echo \"readme-test: " + q
                + ":$line: nothing listens on $a after 300 s\" >&2; return 1; }; "
                + "sleep 0.2; done; done; }; set -x";
        for (ReadmeBlocks.Block b : readme.blocks()) {
            switch (b) {
                case ReadmeBlocks.Run r -> {
                    lines[r.line() - 1] = "__block " + r.line();
                    place(lines, r.firstLine(), r.lines());
                }
                case ReadmeBlocks.Server s -> {
                    lines[s.line() - 1] = "__block " + s.line() + "; (";
                    place(lines, s.firstLine(), s.lines());
                    lines[s.firstLine() + s.lines().size() - 1] = ") >'" + logs.resolve("server-" + s.line() + ".log")
                            + "' 2>&1 & __ready " + s.line() + " $! "
                            + String.join(
                                    " ",
                                    s.listens().stream().map(a -> "'" + a + "'").toList());
                }
                case ReadmeBlocks.Skipped k -> {}
            }
        }
        StringBuilder out = new StringBuilder();
        for (String l : lines) out.append(l == null ? "" : l).append('\n');
        out.append("__block end; set +x; echo '").append(DONE).append("'\n");
        return out.toString();
    }

    private static void place(String[] lines, int first, List<String> block) {
        for (int i = 0; i < block.size(); i++) lines[first - 1 + i] = block.get(i);
    }

    /**
     * Runs the README in {@code scratch} (made here) and stops everything it started, also on a timeout.
     *
     * @param repo   this clone
     * @param shared the ../shared directory the build uses
     */
    static Result run(ReadmeBlocks readme, String label, Path repo, Path shared, Path scratch, Duration timeout)
            throws IOException, InterruptedException {
        return run(readme, label, repo, shared, scratch, timeout, PER_BLOCK);
    }

    /** As above, with the time after which a block counts as hung and stops the README. */
    static Result run(
            ReadmeBlocks readme,
            String label,
            Path repo,
            Path shared,
            Path scratch,
            Duration timeout,
            Duration perBlock)
            throws IOException, InterruptedException {
        Path clone = scratch.resolve("clone"), home = scratch.resolve("home"), logs = scratch.resolve("logs");
        Files.createDirectories(clone);
        Files.createDirectories(home);
        Files.createDirectories(logs);
        Files.createSymbolicLink(scratch.resolve("shared"), shared.toAbsolutePath());
        try (Stream<Path> top = Files.list(repo)) {
            for (Path p : top.toList()) {
                String name = p.getFileName().toString();
                if (name.equals(".git") || name.equals("target") || name.equals("examples")) continue;
                Files.createSymbolicLink(clone.resolve(name), p.toAbsolutePath());
            }
        }
        copyExamples(repo.resolve("examples"), clone.resolve("examples"));
        Path script = scratch.resolve("readme.sh");
        Files.writeString(script, script(readme, label, logs, perBlock));
        Path log = logs.resolve("session.log");

        // setsid: the shell leads a process group of its own (its pid, written to logs/pgid), so that everything the
        // blocks
        // start, servers and the Keeps they start included, can be stopped at the end
        List<String> command = new ArrayList<>(List.of("setsid", "--wait"));
        command.addAll(NetworkNamespace.PREFIX);
        command.addAll(List.of("bash", script.toString()));
        ProcessBuilder pb = new ProcessBuilder(command)
                .directory(clone.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .redirectInput(new File("/dev/null"));
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("HOME", home.toString());
        env.put(
                "XDG_CACHE_HOME",
                home.resolve(".cache").toString()); // donjon's module cache follows user.home, not HOME
        env.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("LANG", "C.UTF-8");
        env.put("TERM", "dumb");
        env.put("TMPDIR", scratch.toString());
        Process p = pb.start();
        boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Path pgid = logs.resolve("pgid");
        stopGroup(Files.exists(pgid) ? Long.parseLong(Files.readString(pgid).strip()) : p.pid());
        if (!finished) p.waitFor(10, TimeUnit.SECONDS);
        List<String> serverLogs = new ArrayList<>();
        try (Stream<Path> s = Files.list(logs)) {
            for (Path l : s.sorted().toList()) {
                if (l.getFileName().toString().startsWith("server-"))
                    serverLogs.add(l.getFileName() + ":\n" + tail(Files.readString(l), 30));
            }
        }
        List<BlockTime> times = new ArrayList<>();
        Path timesFile = logs.resolve("times");
        if (Files.exists(timesFile)) {
            for (String l : Files.readAllLines(timesFile)) {
                String[] f = l.strip().split(" ");
                if (f.length == 2) times.add(new BlockTime(Integer.parseInt(f[0]), Long.parseLong(f[1])));
            }
        }
        return new Result(
                finished, finished ? p.exitValue() : -1, Files.readString(log), serverLogs, List.copyOf(times));
    }

    /** TERM to every process the session started (the shell is its process group's leader), then KILL what is left. */
    private static void stopGroup(long pgid) throws IOException, InterruptedException {
        signal("-TERM", pgid);
        for (int i = 0; i < 100 && groupAlive(pgid); i++) Thread.sleep(100);
        if (groupAlive(pgid)) signal("-KILL", pgid);
    }

    private static void signal(String sig, long pgid) throws IOException, InterruptedException {
        new ProcessBuilder("kill", sig, "--", "-" + pgid)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start()
                .waitFor();
    }

    private static boolean groupAlive(long pgid) throws IOException, InterruptedException {
        return new ProcessBuilder("kill", "-0", "--", "-" + pgid)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start()
                        .waitFor()
                == 0;
    }

    private static void copyExamples(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path rel = from.relativize(p);
                if (rel.toString().startsWith("node_modules") || rel.toString().startsWith("target")) continue;
                Path dest = to.resolve(rel.toString());
                if (Files.isSymbolicLink(p)) Files.createSymbolicLink(dest, Files.readSymbolicLink(p));
                else if (Files.isDirectory(p)) Files.createDirectories(dest);
                else Files.copy(p, dest, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            }
        }
    }

    /**
     * What the last block that started printed, without the noise of nested traces (a sourced script, a command
     * substitution: lines starting "++") and of the test's own helper: what to read first when a README fails. At most
     * the last {@code lines} lines.
     */
    static String lastBlock(String log, int lines) {
        List<String> all = log.lines().toList();
        int start = 0;
        for (int i = 0; i < all.size(); i++) {
            if (all.get(i).matches("^\\+ \\S+:\\d+ \\(\\d+s\\): __block \\d+$")) start = i;
        }
        List<String> kept = new ArrayList<>();
        for (String l : all.subList(start, all.size())) {
            if (l.startsWith("++")) continue;
            if (l.matches("^\\+ \\S+:1 \\(\\d+s\\): (local -|set \\+x)$")) continue;
            kept.add(l);
        }
        return tail(String.join("\n", kept), lines);
    }

    static String tail(String text, int lines) {
        List<String> all = text.lines().toList();
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }

    /**
     * {@code unshare -rn} plus a loopback brought up, when this kernel and container allow it: then every README gets a
     * network of its own. Where they do not (a container without user namespaces), the blocks run on the machine's
     * network and {@link #NOTE} says so in the test's output.
     */
    static final class NetworkNamespace {
        static final List<String> PREFIX;
        static final String NOTE;

        static {
            List<String> prefix = List.of();
            String note;
            try {
                Process probe = new ProcessBuilder("unshare", "-rn", "sh", "-c", "ip link set lo up")
                        .redirectErrorStream(true)
                        .start();
                String out = new String(probe.getInputStream().readAllBytes()).strip();
                if (probe.waitFor() == 0) {
                    prefix = List.of("unshare", "-rn", "sh", "-c", "ip link set lo up && exec \"$0\" \"$@\"");
                    note = "each README runs in a network namespace of its own (unshare -rn)";
                } else {
                    note = "README blocks run on this machine's network (unshare -rn is not allowed here: "
                            + out.lines().findFirst().orElse("") + "): their fixed ports must be free";
                }
            } catch (IOException | InterruptedException e) {
                note = "README blocks run on this machine's network (no unshare: " + e.getMessage()
                        + "): their fixed ports must be free";
            }
            PREFIX = prefix;
            NOTE = note;
        }
    }
}
