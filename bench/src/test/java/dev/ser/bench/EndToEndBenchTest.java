package dev.ser.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.schemas.SampleEncoding;
import dev.ser.stream.StreamJobConfig;
import dev.ser.stream.StreamJobOptions;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class EndToEndBenchTest {

  @Test
  void theJobUnderTestScoresEveryChannelSoEveryPlacedUtteranceIsExpectedBack() {
    Path model = Path.of("../models/ms-senet-emodb.onnx");
    var s = new EndToEndBench.Settings(100, 10, 2, "at-least-once", 1000, SampleEncoding.MULAW, 8000, 100,
        Path.of("../samples/emodb"), model, 2);
    StreamJobConfig config = EndToEndBench.jobConfig(s, "127.0.0.1:9092", Path.of("/tmp/checkpoints"));
    assertThat(config.get(StreamJobOptions.SCORE_CHANNELS)).isEqualTo("*");
    assertThat(config.get(StreamJobOptions.MODEL)).isEqualTo(model.toString());
    assertThat(config.get(StreamJobOptions.ONNX_THREADS)).isEqualTo(1);
    assertThat(config.get(StreamJobOptions.PARALLELISM)).isEqualTo(2);
  }
}
