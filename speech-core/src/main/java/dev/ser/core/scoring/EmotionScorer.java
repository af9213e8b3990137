package dev.ser.core.scoring;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ser.core.features.MfccExtractor;
import dev.ser.core.features.MfccMatrix;
import dev.ser.core.scoring.provider.ExecutionProviders;
import dev.ser.core.scoring.provider.InferenceDevice;
import dev.ser.core.scoring.provider.OnnxRuntime;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Scores MFCC matrices with an exported MS-SENet through ONNX Runtime, on the CPU or with the CUDA
 * execution provider ({@link InferenceDevice}). The model file carries
 * everything needed: labels, feature config, name and version ({@link ModelMetadata}); a file
 * without them is refused. Thread-safe: ONNX Runtime sessions may be run concurrently. Close it to
 * free the native session.
 */
public final class EmotionScorer implements AutoCloseable {

  /** One utterance's result: the argmax label, its probability, and every class's probability. */
  public record Prediction(String label, float confidence, float[] scores) {}

  private final OrtSession session;
  private final ModelMetadata metadata;
  private final MfccExtractor extractor;
  private final int frames;
  private final int coefficients;
  private final InferenceDevice device;
  private final String inputName;

  private EmotionScorer(OrtSession session, ModelMetadata metadata, InferenceDevice device, String inputName) {
    this.session = session;
    this.inputName = inputName;
    this.device = device;
    this.metadata = metadata;
    this.extractor = new MfccExtractor(metadata.features());
    this.frames = metadata.features().frameCount(0);
    this.coefficients = metadata.features().nMfcc();
  }

  /** Opens a model on the CPU with ONNX Runtime's default threading. */
  public static EmotionScorer open(Path model) throws OrtException {
    return open(model, InferenceDevice.CPU, 0);
  }

  /**
   * Opens a model on {@code device} (falling back to the CPU, logged, when CUDA cannot load).
   *
   * @param intraOpThreads threads ONNX Runtime uses inside one run; 0 for its default (all cores)
   */
  public static EmotionScorer open(Path model, InferenceDevice device, int intraOpThreads) throws OrtException {
    return open(model, device, intraOpThreads, null);
  }

  /**
   * As {@link #open(Path, InferenceDevice, int)}, with ONNX Runtime's graph optimisation level;
   * {@code null} for its default (what the job uses), as {@link #graphOptimization} says.
   */
  public static EmotionScorer open(Path model, InferenceDevice device, int intraOpThreads,
      OrtSession.SessionOptions.OptLevel graphOptimization) throws OrtException {
    if (!Files.isRegularFile(model)) {
      throw new IllegalArgumentException("model file " + model + " does not exist");
    }
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must not be negative, got " + intraOpThreads);
    }
    OrtEnvironment env = OnnxRuntime.environment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      if (intraOpThreads > 0) {
        options.setIntraOpNumThreads(intraOpThreads);
      }
      InferenceDevice actual = ExecutionProviders.configure(options, device);
      options.setOptimizationLevel(graphOptimization(graphOptimization));
      OrtSession session = env.createSession(model.toString(), options);
      try {
        ModelMetadata metadata = ModelMetadata.fromProperties(session.getMetadata().getCustomMetadata(), model.toString());
        if (metadata.features().fixedLength() <= 0) {
          throw new IllegalArgumentException(model + ": its feature config has no fixed_length, so its input size is unknown");
        }
        return new EmotionScorer(session, metadata, actual, checkGraph(session, metadata, model));
      } catch (RuntimeException | OrtException e) {
        session.close();
        throw e;
      }
    }
  }

  /**
   * The graph optimisation level of a session: {@code requested} when given, otherwise ONNX
   * Runtime's default, ALL (on the CPU it adds the blocked NCHWc layout). Measured for MS-SENet at
   * batch 1 on the CPU, EXTENDED (without the blocked layout) was not faster: the layout's six
   * conversions back to NCHW cost about what the plain convolutions lose (BENCHMARKS.md, section 2).
   */
  public static OrtSession.SessionOptions.OptLevel graphOptimization(OrtSession.SessionOptions.OptLevel requested) {
    return requested != null ? requested : OrtSession.SessionOptions.OptLevel.ALL_OPT;
  }

  /**
   * The graph's one input must take (batch, frames, coefficients) of the feature config it
   * carries, and its one output give one probability per label; returns the input's name. A
   * model whose graph and description disagree would fail on every utterance, so it is refused here.
   */
  static String checkGraph(OrtSession session, ModelMetadata metadata, Path model) throws OrtException {
    var inputs = session.getInputInfo();
    var outputs = session.getOutputInfo();
    if (inputs.size() != 1 || outputs.size() != 1) {
      throw new IllegalArgumentException(model + ": an emotion model has one input and one output, this graph has "
          + inputs.keySet() + " and " + outputs.keySet());
    }
    var input = inputs.values().iterator().next();
    long frames = metadata.features().frameCount(0);
    long coefficients = metadata.features().nMfcc();
    long[] in = input.getInfo() instanceof ai.onnxruntime.TensorInfo t ? t.getShape() : new long[0];
    if (in.length != 3 || (in[1] >= 0 && in[1] != frames) || (in[2] >= 0 && in[2] != coefficients)) {
      throw new IllegalArgumentException(model + ": its graph input " + input.getName() + " has shape "
          + java.util.Arrays.toString(in) + " but its feature config gives (batch, " + frames + ", " + coefficients
          + ") (fixed_length " + metadata.features().fixedLength() + ", hop " + metadata.features().hopLength()
          + ", n_mfcc " + coefficients + ")");
    }
    var output = outputs.values().iterator().next();
    long[] out = output.getInfo() instanceof ai.onnxruntime.TensorInfo t ? t.getShape() : new long[0];
    if (out.length != 2 || (out[1] >= 0 && out[1] != metadata.labels().size())) {
      throw new IllegalArgumentException(model + ": its graph output " + output.getName() + " has shape "
          + java.util.Arrays.toString(out) + " but it names " + metadata.labels().size() + " labels " + metadata.labels());
    }
    return input.getName();
  }

  /** The device the session runs on: the requested one, or the CPU after a CUDA fallback. */
  public InferenceDevice device() {
    return device;
  }

  public ModelMetadata metadata() {
    return metadata;
  }

  /** The extractor for this model's features: input audio must be at its sample rate. */
  public MfccExtractor extractor() {
    return extractor;
  }

  /** Class probabilities of each matrix, in one ONNX Runtime call. */
  public float[][] probabilities(List<MfccMatrix> batch) throws OrtException {
    if (batch.isEmpty()) {
      return new float[0][];
    }
    int size = frames * coefficients;
    FloatBuffer input = FloatBuffer.allocate(batch.size() * size);
    for (MfccMatrix m : batch) {
      if (m.frames() != frames || m.coefficients() != coefficients) {
        throw new IllegalArgumentException("the model takes " + frames + " x " + coefficients + " MFCCs, got "
            + m.frames() + " x " + m.coefficients());
      }
      input.put(m.data());
    }
    input.flip();
    OrtEnvironment env = OnnxRuntime.environment();
    // every native tensor and result is closed, or ONNX Runtime leaks native memory
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, new long[] {batch.size(), frames, coefficients});
        OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
      return (float[][]) result.get(0).getValue();
    }
  }

  public List<Prediction> predict(List<MfccMatrix> batch) throws OrtException {
    float[][] p = probabilities(batch);
    List<Prediction> out = new java.util.ArrayList<>(p.length);
    for (float[] scores : p) {
      int best = 0;
      for (int k = 1; k < scores.length; k++) {
        if (scores[k] > scores[best]) {
          best = k;
        }
      }
      out.add(new Prediction(metadata.labels().get(best), scores[best], scores));
    }
    return out;
  }

  /** Features and prediction of one mono signal at the model's sample rate. */
  public Prediction predict(float[] samples) throws OrtException {
    return predict(List.of(extractor.extract(samples))).get(0);
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
