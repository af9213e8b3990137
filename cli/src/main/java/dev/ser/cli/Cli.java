package dev.ser.cli;

import ai.onnxruntime.OrtException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;

/**
 * How every {@code ser} subcommand runs: problems with the user's input (bad files, bad options,
 * unreadable models) print {@code ser NAME: message} and exit 1, without a stack trace; usage
 * errors exit 2 (picocli); anything else is a bug and propagates.
 */
public final class Cli {

  private Cli() {}

  public static CommandLine commandLine(Object command) {
    CommandLine cli = new CommandLine(command);
    return cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof IllegalArgumentException || e instanceof IllegalStateException || e instanceof IOException
          || e instanceof OrtException) {
        String message = e instanceof NoSuchFileException ? "no such file: " + e.getMessage() : e.getMessage();
        cmd.getErr().println(cmd.getCommandName() + ": " + message);
        return 1;
      }
      throw e;
    });
  }

  /** Runs the command and exits the JVM with its code. */
  public static void run(Object command, String[] args) {
    System.exit(commandLine(command).execute(args));
  }
}
