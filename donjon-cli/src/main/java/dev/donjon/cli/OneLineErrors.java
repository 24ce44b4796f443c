package dev.donjon.cli;

import dev.donjon.common.OneLine;
import dev.donjon.wasi.GuestFailedException;
import java.io.PrintWriter;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * Turns every failure into one line on stderr ("donjon: ...") and a non-zero exit code.
 * Stack traces only with --log-level debug: users see what went wrong, not where in our code.
 */
final class OneLineErrors implements IExecutionExceptionHandler, IParameterExceptionHandler {

    /** Exit code for bad input or a refused operation (the guest's own exit codes pass through untouched). */
    static final int FAILURE = 1;
    /** Exit code for a malformed command line, as picocli and most CLIs use. */
    static final int USAGE = 2;
    /** Exit code for a guest that trapped: wasmtime's, 128 + SIGABRT, a bug in the guest rather than a refusal. */
    static final int TRAP = 134;
    /** Exit code for a guest stopped at a limit (memory, time, CPU time): 128 + SIGKILL, as for a process killed for it. */
    static final int LIMIT = 137;
    /** Exit code for a guest stopped by Ctrl-C: 128 + SIGINT, as a shell reports it. */
    static final int INTERRUPTED = 130;

    /** The exit code for a guest that started and did not end with an exit code of its own. */
    static int exitCode(GuestFailedException e) {
        return switch (e.reason()) {
            case TRAP -> TRAP;
            case MEMORY_LIMIT, TIME_LIMIT, CPU_TIME_LIMIT -> LIMIT;
            case STOPPED -> INTERRUPTED;
            case HOST_ERROR -> FAILURE;
        };
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        err.println("donjon: " + describe(ex));
        if (Donjon.debug()) ex.printStackTrace(err);
        err.flush();
        return switch (ex) {
            case ExitCodeException e -> e.exitCode();
            case GuestFailedException g -> exitCode(g);
            default -> FAILURE;
        };
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("donjon: " + ex.getMessage());
        err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return USAGE;
    }

    /**
     * The message of the exception, or of its first cause that has one, on one line; a file-system exception (whose
     * message is a bare path) says what happened to that path, in words.
     */
    static String describe(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof FileSystemException f) return fileProblem(f);
            String m = t.getMessage();
            if (m != null && !m.isBlank()) return OneLine.of(m);
        }
        return OneLine.of(ex);
    }

    /** "PATH: no such file or directory", as the shell says it, rather than the exception's bare path. */
    static String fileProblem(FileSystemException f) {
        String what = switch (f) {
            case NoSuchFileException e -> "no such file or directory";
            case AccessDeniedException e -> "permission denied";
            case FileAlreadyExistsException e -> "already exists";
            case NotDirectoryException e -> "not a directory";
            case DirectoryNotEmptyException e -> "directory not empty";
            default ->
                f.getReason() != null
                        ? f.getReason()
                        : "cannot be used (" + f.getClass().getSimpleName() + ")";
        };
        String file = f.getFile() == null
                ? ""
                : f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile()) + ": ";
        return OneLine.of(file + what);
    }
}
