package dev.ser.jmh;

import dev.ser.core.audio.AudioResampler;
import dev.ser.core.audio.WavFile;
import dev.ser.core.features.FeatureConfig;
import dev.ser.core.features.MfccExtractor;
import dev.ser.core.features.MfccMatrix;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * MFCC throughput on real speech, one thread. Real-time factor = audio seconds per call
 * ({@link #audioSeconds}) / seconds per call. Inputs:
 * <ul>
 *   <li>{@code continuous}: EmoDB speech joined end to end, trimmed to the config's fixed length
 *       (96 000 samples = 4.354 s for timnet-emodb) or to 4 s, so no frame is digital silence;</li>
 *   <li>{@code emodbClip}: one 2 s EmoDB clip as training and scoring see it (timnet-emodb pads it
 *       to 96 000 samples; the all-zero padding frames cost no FFT).</li>
 * </ul>
 * Run: {@code java -jar benchmarks/target/benchmarks.jar MfccBenchmark -f 1 -wi 3 -w 2s -i 5 -r 2s -t 1}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class MfccBenchmark {

  static final String[] CLIPS = {"03a01Fa", "03a02Ta", "03a05Aa", "03b01Lb"};

  /** A preset, or a feature file of model-training/features (run from the repository root): the shipped models'. */
  @Param({"timnet-emodb", "telephony-8k", "emodb-4k-band.json", "telephony-8k-emodb.json"})
  public String preset;

  MfccExtractor extractor;
  float[] continuous;
  float[] emodbClip;
  /** Audio seconds in one call of each benchmark, printed at setup for the README's arithmetic. */
  double continuousSeconds;
  double clipSeconds;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    FeatureConfig config = preset.endsWith(".json")
        ? FeatureConfig.fromJson(java.nio.file.Files.readString(java.nio.file.Path.of("model-training/features", preset)))
        : FeatureConfig.preset(preset);
    extractor = new MfccExtractor(config);
    float[] speech = new float[0];
    for (String clip : CLIPS) {
      float[] x = readClip(clip);
      speech = Arrays.copyOf(speech, speech.length + x.length);
      System.arraycopy(x, 0, speech, speech.length - x.length, x.length);
    }
    speech = AudioResampler.resample(speech, 22050, config.sampleRate());
    int length = config.fixedLength() > 0 ? config.fixedLength() : 4 * config.sampleRate();
    continuous = Arrays.copyOf(speech, length);
    emodbClip = AudioResampler.resample(readClip(CLIPS[0]), 22050, config.sampleRate());
    continuousSeconds = (double) length / config.sampleRate();
    clipSeconds = (double) emodbClip.length / config.sampleRate();
    System.out.printf("%n%s: continuous = %.3f s of audio per call, emodbClip = %.3f s%n", preset,
        continuousSeconds, clipSeconds);
  }

  static float[] readClip(String name) throws IOException {
    try (InputStream in = MfccBenchmark.class.getResourceAsStream("/shared-subset/data/emodb/wav/" + name + ".wav")) {
      if (in == null) {
        throw new IOException("fixture " + name + ".wav missing from the speech-core test jar");
      }
      return WavFile.decode(in.readAllBytes()).channel(0);
    }
  }

  @Benchmark
  public MfccMatrix continuous() {
    return extractor.extract(continuous);
  }

  @Benchmark
  public MfccMatrix emodbClip() {
    return extractor.extract(emodbClip);
  }
}
