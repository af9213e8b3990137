package dev.ser.kafka;

import java.util.Arrays;

/**
 * Entry point of the broker's child JVM: {@code BrokerMain PARENT_PID server.properties}. It runs
 * {@code kafka.Kafka} and halts the JVM as soon as the parent process is gone, so a parent that is
 * killed (even with SIGKILL) never leaves a broker behind.
 */
public final class BrokerMain {

  private BrokerMain() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: BrokerMain PARENT_PID server.properties");
      System.exit(2);
    }
    long parentPid = Long.parseLong(args[0]);
    Thread watchdog = new Thread(() -> {
      while (true) {
        boolean alive = ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false);
        if (!alive) {
          System.err.println("BrokerMain: parent process " + parentPid + " is gone; stopping the broker");
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
    Class.forName("kafka.Kafka").getMethod("main", String[].class)
        .invoke(null, (Object) Arrays.copyOfRange(args, 1, args.length));
  }
}
