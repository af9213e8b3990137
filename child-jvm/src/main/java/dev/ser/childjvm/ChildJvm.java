package dev.ser.childjvm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Starting a Java child process that runs {@code mainClass} under {@link WatchedMain}, and the
 * small chores around it: free ports, the end of a log for an error message, removing a work
 * directory.
 */
public final class ChildJvm {

  private ChildJvm() {}

  /** The {@code java} launcher of this JVM. */
  public static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /**
   * A process builder for {@code java JVM_OPTIONS WatchedMain THIS_PID MAIN_CLASS ARGS} in
   * {@code workDir}, stderr merged into stdout. The classpath goes in the environment, so the
   * command line stays short (ONNX Runtime 1.29 crashed on long ones, see
   * {@code OnnxRuntime.environment()}) and readable in {@code ps}; it must hold this module.
   */
  public static ProcessBuilder watched(String classpath, List<String> jvmOptions, Path workDir, String mainClass,
      List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaExecutable());
    cmd.addAll(jvmOptions);
    cmd.add(WatchedMain.class.getName());
    cmd.add(Long.toString(ProcessHandle.current().pid()));
    cmd.add(mainClass);
    cmd.addAll(args);
    return plain(classpath, cmd, workDir);
  }

  /** A process builder for {@code command} (no watchdog: for short-lived tools) with the same environment. */
  public static ProcessBuilder plain(String classpath, List<String> command, Path workDir) {
    ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
    pb.environment().put("CLASSPATH", classpath);
    // the parent's LD_PRELOAD (tcmalloc for training) is nothing the child needs
    pb.environment().remove("LD_PRELOAD");
    return pb;
  }

  /** Where this module's classes are, for a child classpath assembled from other jars. */
  public static String ownLocation() {
    try {
      return Path.of(WatchedMain.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A TCP port free right now on this machine. */
  /**
   * {@code n} different free ports. Sockets are held open until all are found: asking for one
   * port at a time may get the same port twice (a broker then refuses two listeners on one port).
   */
  public static int[] freePorts(int n) throws IOException {
    List<ServerSocket> open = new java.util.ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0);
        open.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } finally {
      for (ServerSocket s : open) {
        s.close();
      }
    }
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  /** The last 30 lines of a log, for an error message. */
  public static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    } catch (IOException e) {
      return "(" + file + " unreadable: " + e.getMessage() + ")";
    }
  }

  /** Removes a directory tree, best effort: a temporary directory left behind is harmless. */
  public static void deleteRecursively(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // best effort
    }
  }
}
