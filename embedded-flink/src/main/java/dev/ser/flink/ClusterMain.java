package dev.ser.flink;

import java.util.Arrays;

/**
 * Entry point of every cluster JVM: {@code ClusterMain PARENT_PID MAIN_CLASS ARGS...}. Runs the
 * Flink entry point and halts the JVM as soon as the parent process is gone, so a test JVM that is
 * killed never leaves a JobManager or TaskManager behind.
 */
public final class ClusterMain {

  private ClusterMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: ClusterMain PARENT_PID MAIN_CLASS [ARGS...]");
      System.exit(2);
    }
    long parentPid = Long.parseLong(args[0]);
    Thread watchdog = new Thread(() -> {
      while (true) {
        if (!ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false)) {
          System.err.println("ClusterMain: parent process " + parentPid + " is gone; halting");
          Runtime.getRuntime().halt(3);
        }
        try {
          Thread.sleep(300);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "parent-watchdog");
    watchdog.setDaemon(true);
    watchdog.start();
    Class.forName(args[1]).getMethod("main", String[].class)
        .invoke(null, (Object) Arrays.copyOfRange(args, 2, args.length));
  }
}
