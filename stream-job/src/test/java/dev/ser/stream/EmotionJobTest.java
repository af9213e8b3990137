package dev.ser.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmotionJobTest {

  static StreamJobConfig config(Path model) {
    return StreamJobConfig.builder().set("bootstrap-servers", "localhost:9").set("model", model.toString()).build();
  }

  @Test
  void theModelConfiguresSegmentation() throws Exception {
    EmotionJob job = EmotionJob.onKafka(config(TestAudio.model()));
    assertThat(job.model().features().sampleRate()).isEqualTo(22050);
    // fixed_length 96000 samples at 22 050 Hz
    assertThat(job.assemblyConfig().maxUtteranceMs()).isEqualTo(4353);
    assertThat(job.assemblyConfig().targetRate()).isEqualTo(22050);
  }

  /**
   * A model reached through a link that moves (ser refresh's {@code current}) is pinned to the file
   * it named when the job was built: a TaskManager restarted after a promotion opens the same file,
   * whose checksum matches, instead of refusing the new one (the swap is a model update's job).
   */
  @Test
  void theModelPathIsResolvedThroughLinksWhenTheJobIsBuilt(@TempDir Path dir) throws Exception {
    Path v1 = Files.createDirectories(dir.resolve("versions/1"));
    Files.copy(TestAudio.model(), v1.resolve("model.onnx"));
    dev.ser.core.scoring.ModelChecksum.writeSidecar(v1.resolve("model.onnx"));
    Files.createSymbolicLink(dir.resolve("current"), Path.of("versions/1"));
    EmotionJob job = EmotionJob.onKafka(config(dir.resolve("current/model.onnx")));
    assertThat(job.scorerSpec().modelPath()).isEqualTo(v1.resolve("model.onnx").toRealPath().toString());
  }

  @Test
  void checkpointsTimeOutBeforeTheirTransactionsCould() throws Exception {
    var env = org.apache.flink.streaming.api.environment.StreamExecutionEnvironment.getExecutionEnvironment();
    EmotionJob.onKafka(config(TestAudio.model())).addTo(env);
    assertThat(env.getCheckpointConfig().getCheckpointTimeout()).isEqualTo(300_000L);
    assertThat(env.getCheckpointConfig().getCheckpointInterval()).isEqualTo(5_000L);
  }

  /** A model without the metadata written by ser train is refused before anything starts. */
  @Test
  void aModelWithoutMetadataIsRefused(@TempDir Path dir) throws Exception {
    Path bare = dir.resolve("bare.onnx");
    Files.write(bare, withoutMetadata(Files.readAllBytes(TestAudio.model())));
    dev.ser.core.scoring.ModelChecksum.writeSidecar(bare);
    assertThatThrownBy(() -> EmotionJob.onKafka(config(bare)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lacks the metadata property \"ser.model_name\"");
  }

  @Test
  void aTamperedModelIsRefusedBeforeAnythingStarts(@TempDir Path dir) throws Exception {
    Path model = dir.resolve("m.onnx");
    Files.copy(TestAudio.model(), model);
    Files.copy(TestAudio.model().resolveSibling("ms-senet-emodb.onnx.sha256"), dir.resolve("m.onnx.sha256"));
    EmotionJob.onKafka(config(model)); // intact: accepted
    byte[] bytes = Files.readAllBytes(model);
    bytes[1000] ^= 0x10;
    Files.write(model, bytes);
    assertThatThrownBy(() -> EmotionJob.onKafka(config(model)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was expected: it was modified or is corrupt, and is not loaded");
    Files.delete(dir.resolve("m.onnx.sha256"));
    assertThatThrownBy(() -> EmotionJob.onKafka(config(model)))
        .hasMessageContaining("no SHA-256 for the model");
  }

  /** The ONNX ModelProto without its metadata_props (field 14): top-level protobuf fields copied otherwise. */
  static byte[] withoutMetadata(byte[] model) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int[] pos = {0};
    while (pos[0] < model.length) {
      int start = pos[0];
      long tag = varint(model, pos);
      int field = (int) (tag >>> 3);
      switch ((int) (tag & 7)) {
        case 0 -> varint(model, pos);
        case 1 -> pos[0] += 8;
        case 2 -> {
          long length = varint(model, pos);
          pos[0] += (int) length;
        }
        case 5 -> pos[0] += 4;
        default -> throw new IllegalArgumentException("unexpected wire type in " + tag);
      }
      if (field != 14) {
        out.write(model, start, pos[0] - start);
      }
    }
    return out.toByteArray();
  }

  static long varint(byte[] b, int[] pos) {
    long v = 0;
    for (int shift = 0; ; shift += 7) {
      int x = b[pos[0]++] & 0xff;
      v |= (long) (x & 0x7f) << shift;
      if (x < 0x80) {
        return v;
      }
    }
  }
}
