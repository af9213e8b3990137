package dev.ser.childjvm;

import java.util.Arrays;

/**
 * Entry point of every child JVM: {@code WatchedMain PARENT_PID MAIN_CLASS [ARGS...]}. Runs
 * {@code MAIN_CLASS.main(ARGS)} and halts the JVM as soon as the parent process is gone, so a
 * parent that is killed (even with SIGKILL) never leaves a broker, JobManager or TaskManager
 * behind.
 */
public final class WatchedMain {

  private WatchedMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: WatchedMain PARENT_PID MAIN_CLASS [ARGS...]");
      System.exit(2);
    }
    long parentPid = Long.parseLong(args[0]);
    Thread watchdog = new Thread(() -> {
      while (true) {
        if (!ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false)) {
          System.err.println("WatchedMain: parent process " + parentPid + " is gone; halting " + args[1]);
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
