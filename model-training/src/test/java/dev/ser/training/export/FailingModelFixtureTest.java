package dev.ser.training.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtException;
import dev.ser.core.features.MfccMatrix;
import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.ModelChecksum;
import dev.ser.core.scoring.ModelMetadata;
import dev.ser.training.Samples;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The stream job's test model that fails at inference ({@code FailingModelITCase}, issue 15 item
 * 8): it describes itself exactly as the shipped model does, passes every check at load, and fails
 * on every run (it reshapes its input to rows of 7 777 values, which no utterance's
 * frames x coefficients divides into). Built here because the ONNX builder lives in this module;
 * the committed file must equal what this builds. Regenerate it with
 * {@code -Dser.regenerate-fixtures=true}.
 */
class FailingModelFixtureTest {

  static final Path SHIPPED = Samples.emodb().getParent().resolveSibling("models/ms-senet-emodb.onnx");
  static final Path FIXTURE = SHIPPED.getParent().resolveSibling("stream-job/src/test/resources/models/fails-at-inference.onnx");
  static final long ROW = 7_777;

  static ModelMetadata shipped() throws OrtException {
    try (EmotionScorer scorer = EmotionScorer.open(SHIPPED)) {
      return scorer.metadata();
    }
  }

  static byte[] build() throws OrtException {
    ModelMetadata shipped = shipped();
    long frames = shipped.features().frameCount(0);
    long coefficients = shipped.features().nMfcc();
    if ((frames * coefficients) % ROW == 0) {
      throw new IllegalStateException("rows of " + ROW + " divide the input; choose another width");
    }
    OnnxGraphBuilder g = new OnnxGraphBuilder("fails-at-inference");
    String x = g.input(ModelMetadata.INPUT, null, frames, coefficients);
    String rows = g.node("Reshape", x, g.longs("rows", -1, ROW));
    String first = g.node("Slice", rows, g.longs("start", 0), g.longs("end", shipped.labels().size()), g.longs("axis", 1));
    g.nodeTo(ModelMetadata.OUTPUT, "Softmax", Map.of("axis", -1), first);
    g.output(ModelMetadata.OUTPUT, null, (long) shipped.labels().size());
    ModelMetadata metadata = new ModelMetadata(shipped.name(), "fails-at-inference", shipped.labels(), shipped.features(),
        "none (a test model)", "{}");
    return g.build("1", metadata.toProperties()).toByteArray();
  }

  static final Path OTHER_LABELS = FIXTURE.resolveSibling("other-labels.onnx");

  /**
   * A model that works but knows four labels instead of the shipped seven (model updates must keep
   * the running model's labels, issue 16): the mean of each coefficient over the frames, the first
   * four through a softmax.
   */
  static byte[] buildOtherLabels() throws OrtException {
    ModelMetadata shipped = shipped();
    OnnxGraphBuilder g = new OnnxGraphBuilder("other-labels");
    String x = g.input(ModelMetadata.INPUT, null, (long) shipped.features().frameCount(0),
        (long) shipped.features().nMfcc());
    String mean = g.node("ReduceMean", Map.of("axes", new long[] {1}, "keepdims", 0L), x);
    String first = g.node("Slice", mean, g.longs("start", 0), g.longs("end", 4), g.longs("axis", 1));
    g.nodeTo(ModelMetadata.OUTPUT, "Softmax", Map.of("axis", -1), first);
    g.output(ModelMetadata.OUTPUT, null, 4L);
    ModelMetadata metadata = new ModelMetadata("four-labels", "1", List.of("angry", "happy", "neutral", "sad"),
        shipped.features(), "none (a test model)", "{}");
    return g.build("1", metadata.toProperties()).toByteArray();
  }

  static final Path SECOND_VERSION = FIXTURE.resolveSibling("second-version.onnx");

  /**
   * A model the running one may be swapped for (issue 16): version {@code fixture-2}, features of
   * another shape (20 coefficients instead of 39, same sample rate), so a job that swaps to it must
   * compute features per model.
   */
  static byte[] buildSecondVersion() throws OrtException {
    var f = shipped().features();
    return meanOfCoefficients("second-version", "fixture-2", new dev.ser.core.features.FeatureConfig(f.sampleRate(),
        f.nFft(), f.winLength(), f.hopLength(), f.window(), f.nMels(), f.fMin(), f.fMax(), f.topDb(), 20,
        f.fixedLength()));
  }

  /**
   * A working model with the shipped model's name and labels, {@code version} and {@code features}:
   * the mean of each coefficient over the frames, the first seven through a softmax.
   */
  static byte[] meanOfCoefficients(String graph, String version, dev.ser.core.features.FeatureConfig features)
      throws OrtException {
    ModelMetadata shipped = shipped();
    OnnxGraphBuilder g = new OnnxGraphBuilder(graph);
    String x = g.input(ModelMetadata.INPUT, null, (long) features.frameCount(0), (long) features.nMfcc());
    String mean = g.node("ReduceMean", Map.of("axes", new long[] {1}, "keepdims", 0L), x);
    String first = g.node("Slice", mean, g.longs("start", 0), g.longs("end", shipped.labels().size()),
        g.longs("axis", 1));
    g.nodeTo(ModelMetadata.OUTPUT, "Softmax", Map.of("axis", -1), first);
    g.output(ModelMetadata.OUTPUT, null, (long) shipped.labels().size());
    ModelMetadata metadata = new ModelMetadata(shipped.name(), version, shipped.labels(), features,
        "none (a test model)", "{}");
    return g.build("1", metadata.toProperties()).toByteArray();
  }

  @Test
  void theSecondVersionIsWhatThisBuildsAndScoresTwentyCoefficientFeatures() throws Exception {
    byte[] built = buildSecondVersion();
    if (Boolean.getBoolean("ser.regenerate-fixtures")) {
      Files.write(SECOND_VERSION, built);
      ModelChecksum.writeSidecar(SECOND_VERSION);
    }
    assertThat(Files.readAllBytes(SECOND_VERSION)).as("regenerate with -Dser.regenerate-fixtures=true").isEqualTo(built);
    try (EmotionScorer scorer = EmotionScorer.open(SECOND_VERSION)) {
      assertThat(scorer.metadata().version()).isEqualTo("fixture-2");
      assertThat(scorer.metadata().features().nMfcc()).isEqualTo(20);
      int frames = scorer.metadata().features().frameCount(0);
      float[] p = scorer.probabilities(List.of(new MfccMatrix(frames, 20, new float[frames * 20])))[0];
      assertThat(p).hasSize(7).containsOnly(1f / 7);
    }
  }

  static final Path NARROWBAND = FIXTURE.resolveSibling("narrowband.onnx");

  /**
   * A narrowband model for routing by band (issue 14): version {@code fixture-8k}, the narrowband
   * features of {@code model-training/features/telephony-8k-emodb.json} (8 kHz, 188 x 39).
   */
  static byte[] buildNarrowband() throws Exception {
    return meanOfCoefficients("narrowband", "fixture-8k", dev.ser.core.features.FeatureConfig.fromJson(Files.readString(
        SHIPPED.getParent().resolveSibling("model-training/features/telephony-8k-emodb.json"))));
  }

  @Test
  void theNarrowbandModelIsWhatThisBuildsAtEightKilohertz() throws Exception {
    byte[] built = buildNarrowband();
    if (Boolean.getBoolean("ser.regenerate-fixtures")) {
      Files.write(NARROWBAND, built);
      ModelChecksum.writeSidecar(NARROWBAND);
    }
    assertThat(Files.readAllBytes(NARROWBAND)).as("regenerate with -Dser.regenerate-fixtures=true").isEqualTo(built);
    try (EmotionScorer scorer = EmotionScorer.open(NARROWBAND)) {
      assertThat(scorer.metadata().features().sampleRate()).isEqualTo(8000);
      assertThat(scorer.metadata().labels()).isEqualTo(shipped().labels());
    }
  }

  @Test
  void theModelWithOtherLabelsIsWhatThisBuildsAndItScores() throws Exception {
    byte[] built = buildOtherLabels();
    if (Boolean.getBoolean("ser.regenerate-fixtures")) {
      Files.write(OTHER_LABELS, built);
      ModelChecksum.writeSidecar(OTHER_LABELS);
    }
    assertThat(Files.readAllBytes(OTHER_LABELS)).as("regenerate with -Dser.regenerate-fixtures=true").isEqualTo(built);
    try (EmotionScorer scorer = EmotionScorer.open(OTHER_LABELS)) {
      int frames = scorer.metadata().features().frameCount(0);
      int coefficients = scorer.metadata().features().nMfcc();
      float[] p = scorer.probabilities(List.of(new MfccMatrix(frames, coefficients, new float[frames * coefficients])))[0];
      assertThat(p).containsExactly(0.25f, 0.25f, 0.25f, 0.25f); // equal means, equal probabilities
    }
  }

  @Test
  void theCommittedFixtureIsWhatThisBuildsAndItFailsOnlyWhenRun() throws Exception {
    byte[] built = build();
    if (Boolean.getBoolean("ser.regenerate-fixtures")) {
      Files.write(FIXTURE, built);
      ModelChecksum.writeSidecar(FIXTURE);
    }
    assertThat(Files.readAllBytes(FIXTURE)).as("regenerate with -Dser.regenerate-fixtures=true").isEqualTo(built);
    ModelChecksum.verify(FIXTURE, ModelChecksum.expected(FIXTURE, null)); // its sidecar is its hash
    try (EmotionScorer scorer = EmotionScorer.open(FIXTURE)) { // every check at load passes
      int frames = scorer.metadata().features().frameCount(0);
      int coefficients = scorer.metadata().features().nMfcc();
      assertThat(scorer.metadata().labels()).hasSize(7);
      assertThatThrownBy(() -> scorer.predict(List.of(new MfccMatrix(frames, coefficients,
          new float[frames * coefficients])))).isInstanceOf(OrtException.class).hasMessageContaining("Reshape");
    }
  }
}
