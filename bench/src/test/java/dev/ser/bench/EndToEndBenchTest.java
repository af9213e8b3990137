package dev.ser.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.schemas.SampleEncoding;
import dev.ser.stream.StreamJobConfig;
import dev.ser.stream.StreamJobOptions;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EndToEndBenchTest {

  @Test
  void theJobUnderTestScoresEveryChannelSoEveryPlacedUtteranceIsExpectedBack() {
    Path model = Path.of("../models/ms-senet-emodb.onnx");
    var s = new EndToEndBench.Settings(100, 10, 2, "at-least-once", 1000, SampleEncoding.MULAW, 8000, 100,
        Path.of("../samples/emodb"), model, 2, 0, 1);
    StreamJobConfig config = EndToEndBench.jobConfig(s, "127.0.0.1:9092", Path.of("/tmp/checkpoints"));
    assertThat(config.get(StreamJobOptions.SCORE_CHANNELS)).isEqualTo("*");
    assertThat(config.get(StreamJobOptions.MODEL)).isEqualTo(model.toString());
    assertThat(config.get(StreamJobOptions.ONNX_THREADS)).isEqualTo(1);
    assertThat(config.get(StreamJobOptions.PARALLELISM)).isEqualTo(2);
  }

  @Test
  void aNegativeTaskManagerCountIsRefusedByName() {
    assertThatThrownBy(() -> new EndToEndBench.Settings(100, 10, 2, "at-least-once", 1000, SampleEncoding.MULAW, 8000,
        100, Path.of("."), Path.of("m.onnx"), 2, -1, 1)).hasMessageContaining("--taskmanagers must be 0").hasMessageContaining("-1");
  }

  @Test
  void theJobsCpuIsThisJvmLessTheBenchThreadsOrTheClusterJvms() {
    // in this JVM: 30 s of process CPU over 10 s, of which the load generator 4 s and the reader 2 s
    var before = new EndToEndBench.CpuSnapshot(1, 10, Map.of(1L, 0.0, 2L, 0.0, 3L, 0.0),
        Map.of(1L, "ser-load-generator", 2L, "ser-bench-reader", 3L, "Flink task: order, decode, segment"), Map.of());
    var after = new EndToEndBench.CpuSnapshot(3, 40, Map.of(1L, 4.0, 2L, 2.0, 3L, 20.0), before.threadNames(), Map.of());
    Map<String, Object> local = after.since(before, 10);
    assertThat(local.get("job_cores")).isEqualTo(2.4); // (30 - 6) / 10
    assertThat(local.get("broker_cores")).isEqualTo(0.2);
    assertThat(local).doesNotContainKey("cluster_jvm_cores");

    // a cluster: the JobManager 1 s, the TaskManagers 6 and 8 s over 10 s; this JVM's own CPU is the bench's
    var cBefore = new EndToEndBench.CpuSnapshot(0, 0, Map.of(), Map.of(), ordered(5.0, 1.0, 2.0));
    var cAfter = new EndToEndBench.CpuSnapshot(0, 3, Map.of(), Map.of(), ordered(6.0, 7.0, 10.0));
    Map<String, Object> cluster = cAfter.since(cBefore, 10);
    assertThat(cluster.get("cluster_jvm_cores")).isEqualTo(List.of(0.1, 0.6, 0.8));
    assertThat((Double) cluster.get("job_cores")).isCloseTo(1.5, org.assertj.core.api.Assertions.within(1e-12));
  }

  /** CPU seconds of pids 10, 11, 12 in this order (the JobManager, then the TaskManagers). */
  static Map<Long, Double> ordered(double... seconds) {
    Map<Long, Double> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < seconds.length; i++) {
      m.put(10L + i, seconds[i]);
    }
    return m;
  }
}
