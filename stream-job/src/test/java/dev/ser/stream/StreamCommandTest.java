package dev.ser.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class StreamCommandTest {

  static String dryRun(String... args) {
    StringWriter out = new StringWriter();
    var cli = StreamCommand.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(out, true));
    cli.execute(args);
    return out.toString();
  }

  @Test
  void withoutModelTheShippedDefaultIsUsedAndNamed() {
    Path shipped = TestAudio.model().toAbsolutePath().normalize();
    String home = shipped.getParent().getParent().toString();
    String previous = System.getProperty("ser.home");
    System.setProperty("ser.home", home);
    try {
      String out = dryRun("--bootstrap-servers", "localhost:9", "--dry-run");
      assertThat(out).contains("no --model given: using the shipped model " + shipped);
      assertThat(out).contains("model=" + shipped);
    } finally {
      if (previous == null) {
        System.clearProperty("ser.home");
      } else {
        System.setProperty("ser.home", previous);
      }
    }
  }
}
