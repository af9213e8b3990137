package dev.ser.core.scoring.provider;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * ONNX Runtime 1.29.0 used to kill the JVM (SIGSEGV, no error report) when the JVM's command line
 * was over about 4 KB, as a Flink task manager's is: {@link OnnxRuntime} must load it safely.
 */
class LongCommandLineTest {

  @Test
  void scoringWorksInAJvmWithAVeryLongCommandLine() throws Exception {
    Path root = Path.of(System.getProperty("ser.samples.dir")).getParent();
    String padding = "x".repeat(20_000);
    Process p = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dpadding=" + padding, "-cp", System.getProperty("java.class.path"), ScoreOneFile.class.getName(),
        root.resolve("models/ms-senet-emodb.onnx").toString(),
        root.resolve("samples/emodb/03a01Wa.wav").toString())).redirectErrorStream(true).start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(out).isZero();
    assertThat(out).startsWith("angry (0.977)");
  }
}
