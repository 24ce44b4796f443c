package dev.donjon.cli;

import dev.donjon.common.OneLine;
import java.io.PrintWriter;
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

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parsed) {
        PrintWriter err = cmd.getErr();
        err.println("donjon: " + describe(ex));
        if (Donjon.debug()) ex.printStackTrace(err);
        err.flush();
        return ex instanceof ExitCodeException e ? e.exitCode() : FAILURE;
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

    /** The message of the exception, or of its first cause that has one, on one line. */
    static String describe(Throwable ex) {
        return OneLine.of(ex);
    }
}
