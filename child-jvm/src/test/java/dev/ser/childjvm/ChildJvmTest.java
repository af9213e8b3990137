package dev.ser.childjvm;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildJvmTest {

  /** A main for the child: prints its arguments. */
  public static final class Echo {
    public static void main(String[] args) {
      System.out.println("echo " + String.join(" ", args));
    }
  }

  @Test
  void aWatchedChildRunsItsMainWithItsArguments(@TempDir Path dir) throws Exception {
    String classpath = System.getProperty("java.class.path");
    Process p = ChildJvm.watched(classpath, List.of("-Xmx64m"), dir, Echo.class.getName(), List.of("a", "b c"))
        .start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip()).isEqualTo("echo a b c");
    assertThat(p.exitValue()).isZero();
  }

  @Test
  void aWatchedChildHaltsWhenItsParentIsGone(@TempDir Path dir) throws Exception {
    // the "parent" is a sleep process; the child runs Thread.sleep-like forever until the parent dies
    Process parent = new ProcessBuilder("sleep", "600").start();
    List<String> cmd = List.of(ChildJvm.javaExecutable(), WatchedMain.class.getName(), Long.toString(parent.pid()),
        Forever.class.getName());
    Process child = ChildJvm.plain(System.getProperty("java.class.path"), cmd, dir).start();
    assertThat(child.waitFor(2, TimeUnit.SECONDS)).as("alive while its parent is").isFalse();
    parent.destroyForcibly().waitFor();
    assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("gone with its parent").isTrue();
    assertThat(child.exitValue()).isEqualTo(3);
  }

  /** A main that never returns. */
  public static final class Forever {
    public static void main(String[] args) throws InterruptedException {
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  @Test
  void tailKeepsTheLastThirtyLinesAndDeleteRemovesTheTree(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("sub/x.log");
    Files.createDirectories(log.getParent());
    StringBuilder b = new StringBuilder();
    for (int i = 1; i <= 40; i++) {
      b.append("line ").append(i).append('\n');
    }
    Files.writeString(log, b);
    assertThat(ChildJvm.tail(log).lines().toList()).hasSize(30).startsWith("line 11").endsWith("line 40");
    ChildJvm.deleteRecursively(dir.resolve("sub"));
    assertThat(dir.resolve("sub")).doesNotExist();
    assertThat(ChildJvm.freePort()).isBetween(1, 65535);
    int[] ports = ChildJvm.freePorts(64);
    assertThat(java.util.Arrays.stream(ports).distinct().count()).as("all different").isEqualTo(64);
    assertThat(java.util.Arrays.stream(ports).allMatch(p -> p >= 1 && p <= 65535)).isTrue();
  }
}
