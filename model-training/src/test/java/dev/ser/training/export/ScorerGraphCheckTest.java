package dev.ser.training.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.core.features.FeatureConfig;
import dev.ser.core.features.MfccMatrix;
import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.ModelMetadata;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** EmotionScorer reads the input from the graph and refuses a graph its description does not fit. */
class ScorerGraphCheckTest {

  @TempDir
  Path dir;

  /** A softmax over the mean of each frame's first {@code classes} coefficients: enough to be a model. */
  private Path model(String inputName, long frames, long coefficients, int classes) throws Exception {
    return model(inputName, frames, coefficients, classes, classes);
  }

  private Path model(String inputName, long frames, long coefficients, int classes, int labelCount) throws Exception {
    return model(inputName, frames, coefficients, classes, labelCount, (long) classes);
  }

  /** As above; {@code outputWidth} null declares the output's class dimension dynamic. */
  private Path model(String inputName, long frames, long coefficients, int classes, int labelCount, Long outputWidth)
      throws Exception {
    OnnxGraphBuilder g = new OnnxGraphBuilder("tiny");
    String x = g.input(inputName, null, frames, coefficients);
    String mean = g.node("ReduceMean", Map.of("axes", new long[] {1}, "keepdims", 0), x); // (N, C)
    String first = g.node("Slice", mean, g.longs("start", 0), g.longs("end", classes), g.longs("axis", 1));
    g.nodeTo("p", "Softmax", Map.of("axis", -1), first);
    g.output("p", null, outputWidth);
    List<String> labels = List.of("angry", "neutral", "sad", "happy").subList(0, labelCount);
    ModelMetadata metadata = new ModelMetadata("tiny", "1", labels, FeatureConfig.preset("timnet-emodb"), "test", "{}");
    Path file = dir.resolve(inputName + frames + "x" + coefficients + "-" + classes + "-" + labelCount + "-"
        + outputWidth + ".onnx");
    Files.write(file, g.build("1", metadata.toProperties()).toByteArray());
    return file;
  }

  @Test
  void theInputNameComesFromTheGraph() throws Exception {
    try (EmotionScorer scorer = EmotionScorer.open(model("features", 188, 39, 3))) {
      float[] data = new float[188 * 39];
      for (int t = 0; t < 188; t++) {
        data[t * 39 + 1] = 2f; // the second class's coefficient is larger in every frame
      }
      float[][] p = scorer.probabilities(List.of(new MfccMatrix(188, 39, data)));
      double e = Math.exp(2);
      assertThat((double) p[0][1]).isCloseTo(e / (e + 2), org.assertj.core.data.Offset.offset(1e-6));
    }
  }

  @Test
  void aGraphWhoseShapeDisagreesWithItsFeatureConfigIsRefusedNamingBoth() throws Exception {
    Path wrong = model("mfcc", 100, 39, 3);
    assertThatThrownBy(() -> EmotionScorer.open(wrong)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("graph input mfcc has shape [-1, 100, 39]")
        .hasMessageContaining("its feature config gives (batch, 188, 39) (fixed_length 96000");
    Path wrongClasses = model("mfcc", 188, 39, 3, 4);
    assertThatThrownBy(() -> EmotionScorer.open(wrongClasses)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("graph output p has shape [-1, 3] but it names 4 labels [angry, neutral, sad, happy]");
  }

  @Test
  void anOutputDeclaredDynamicIsCheckedWithTheWidthOnnxRuntimeInfers() throws Exception {
    // the graph does not declare how many classes it gives; ONNX Runtime infers it from the graph,
    // so a width that disagrees with the labels is still refused at load (issue 15, item 8)
    Path dynamic = model("mfcc", 188, 39, 3, 4, null);
    assertThatThrownBy(() -> EmotionScorer.open(dynamic)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageEndingWith("its graph output p has shape [-1, 3] but it names 4 labels [angry, neutral, sad, happy]");
    try (EmotionScorer fine = EmotionScorer.open(model("mfcc", 188, 39, 3, 3, null))) {
      assertThat(fine.metadata().labels()).hasSize(3);
    }
  }
}
