package dev.donjon.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.FencedCodeBlock;
import org.commonmark.node.IndentedCodeBlock;
import org.commonmark.node.Node;
import org.commonmark.parser.IncludeSourceSpans;
import org.commonmark.parser.Parser;

/**
 * The command blocks of one README, in order, as {@link ReadmeBlocksIT} runs them. The conventions (also written in
 * the repository README, "Documentation that runs"):
 * <ul>
 * <li>A fenced block labelled {@code sh}, {@code bash} or {@code shell} is run, in order, in one shell per README.</li>
 * <li>Its first line {@code # in another terminal ...} makes it a server: it is started in the background and the next
 *     block waits until every {@code --listen ADDR:PORT} in it, and the {@code (listens on ADDR:PORT)} of that first
 *     line, accepts connections.</li>
 * <li>Its first line {@code # not run by the README test: REASON} skips it (real TEE hardware, a benchmark that takes
 *     minutes); the reason is listed in the test's output.</li>
 * <li>A line that runs {@code ./mvnw} is skipped: this test runs inside {@code ./mvnw verify}.</li>
 * <li>A block that is not labelled as a shell block (a synopsis, an output, a table) is not run; one that looks like
 *     commands but has no label is an error, so that no command escapes the test by accident.</li>
 * </ul>
 */
record ReadmeBlocks(Path readme, List<Block> blocks, List<String> problems) {

    /** One fenced block, or one skipped line, with its 1-based line in the README. */
    sealed interface Block {
        int line();
    }

    /** Run in the README's shell; {@code firstLine} is the README line of the block's first content line. */
    record Run(int line, int firstLine, List<String> lines) implements Block {}

    /** Started in the background; {@code listens} are the {@code host:port} it must accept connections on. */
    record Server(int line, int firstLine, List<String> lines, List<String> listens) implements Block {}

    /** Not run, and why. */
    record Skipped(int line, String what, String reason) implements Block {}

    static final Pattern SKIP_MARKER =
            Pattern.compile("^#\\s*not run by the README test:\\s*(.+)$", Pattern.CASE_INSENSITIVE);
    static final Pattern SERVER_MARKER = Pattern.compile("^#\\s*in another terminal\\b.*$", Pattern.CASE_INSENSITIVE);
    private static final Pattern LISTEN = Pattern.compile("--listen[= ]+(\\S+)");
    private static final Pattern LISTENS_ON = Pattern.compile("listens on ([^\\s),;]+)");
    /** What a command line starts with in these READMEs: the launcher, the wrapper, a script path, a program on PATH. */
    /**
     * What a command line starts with in these READMEs, after an optional prompt and variable assignments: the launcher
     * or a subcommand of {@code donjon}, the wrapper, a script or program given by a relative path, or a few programs
     * the READMEs use. Output lines ({@code donjon (compiled-module cache)   692 ...}) do not match.
     */
    private static final Pattern COMMAND_LIKE = Pattern.compile("^\\s*(\\$\\s+)?(\\w+=\\S*\\s+)*("
            + "\\./\\S+|[\\w.-]+/[\\w./-]+(\\s|$)|donjon(\\s+--?[a-z][a-z-]*(=\\S+)?)*\\s+[a-z][a-z-]+(\\s|$)"
            + "|(mvn|java|export|openssl|curl)\\s+[-A-Za-z$\"])");

    private static final List<String> SHELLS = List.of("sh", "bash", "shell");

    static ReadmeBlocks parse(Path readme) throws IOException {
        String text = Files.readString(readme);
        Node doc = Parser.builder()
                .includeSourceSpans(IncludeSourceSpans.BLOCKS)
                .build()
                .parse(text);
        List<Block> blocks = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        doc.accept(new AbstractVisitor() {
            @Override
            public void visit(FencedCodeBlock b) {
                int fence = b.getSourceSpans().getFirst().getLineIndex() + 1;
                String info = b.getInfo() == null
                        ? ""
                        : b.getInfo().strip().split("\\s+")[0].toLowerCase(Locale.ROOT);
                List<String> lines = b.getLiteral().lines().toList();
                if (SHELLS.contains(info)) {
                    shellBlock(fence, lines, blocks, problems);
                } else if (info.isEmpty() && looksLikeCommands(lines)) {
                    problems.add("line " + fence
                            + ": a fenced block of commands without a label: label it ```sh to have it run"
                            + " (or ```text if it is a synopsis or an output)");
                }
            }

            @Override
            public void visit(IndentedCodeBlock b) {
                if (looksLikeCommands(b.getLiteral().lines().toList())) {
                    problems.add(
                            "line " + (b.getSourceSpans().getFirst().getLineIndex() + 1)
                                    + ": an indented block of commands: fence it as ```sh to have it run (or ```text if it is a synopsis)");
                }
            }
        });
        return new ReadmeBlocks(readme, List.copyOf(blocks), List.copyOf(problems));
    }

    private static void shellBlock(int fence, List<String> lines, List<Block> blocks, List<String> problems) {
        String first = lines.isEmpty() ? "" : lines.getFirst().strip();
        Matcher skip = SKIP_MARKER.matcher(first);
        if (skip.matches()) {
            blocks.add(new Skipped(fence, "block", skip.group(1).strip()));
            return;
        }
        List<String> run = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            if (l.strip().startsWith("./mvnw ")) {
                blocks.add(new Skipped(fence + 1 + i, l.strip(), "this test runs inside ./mvnw verify"));
                run.add(":");
            } else {
                run.add(l);
            }
        }
        if (SERVER_MARKER.matcher(first).matches()) {
            List<String> listens = new ArrayList<>();
            Matcher said = LISTENS_ON.matcher(first);
            while (said.find()) listens.add(said.group(1));
            Matcher m = LISTEN.matcher(String.join("\n", lines));
            while (m.find()) listens.add(m.group(1));
            if (listens.isEmpty()) {
                problems.add("line " + fence
                        + ": a block run in another terminal must say where it listens (--listen ADDR:PORT, or"
                        + " '(listens on ADDR:PORT)' on its first line),"
                        + " so that the blocks after it can wait for it");
                return;
            }
            blocks.add(new Server(fence, fence + 1, List.copyOf(run), List.copyOf(listens)));
        } else {
            blocks.add(new Run(fence, fence + 1, List.copyOf(run)));
        }
    }

    static boolean looksLikeCommands(List<String> lines) {
        return lines.stream().anyMatch(l -> COMMAND_LIKE.matcher(l).find());
    }

    List<Skipped> skipped() {
        return blocks.stream()
                .filter(b -> b instanceof Skipped)
                .map(b -> (Skipped) b)
                .toList();
    }

    boolean runsAnything() {
        return blocks.stream().anyMatch(b -> !(b instanceof Skipped));
    }
}
