package dev.ser.training.data;

import dev.ser.core.audio.AudioResampler;
import dev.ser.core.audio.WavFile;
import dev.ser.core.features.FeatureConfig;
import dev.ser.core.features.MfccExtractor;
import dev.ser.core.features.MfccMatrix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The MFCC matrices of a corpus, computed by the shared core exactly as the stream job does, with
 * labels as class indices. Matrices are cached on disk under
 * {@code cacheDir/<hash of the FeatureConfig JSON>/<hash of path, size, mtime>.f32}, so a second
 * run with the same features reads them back instead of recomputing.
 *
 * @param x      one row-major frames x coefficients matrix per clip
 * @param y      class index of each clip, into {@code labels}
 * @param cached how many matrices came from the cache
 * @param line   the telephone line the audio went through first ({@link TelephoneLine#NONE}: none)
 */
public record FeatureSet(FeatureConfig config, List<String> labels, List<LabeledClip> clips, float[][] x, int[] y,
    int cached, TelephoneLine line) {

  public FeatureSet(FeatureConfig config, List<String> labels, List<LabeledClip> clips, float[][] x, int[] y,
      int cached) {
    this(config, labels, clips, x, y, cached, TelephoneLine.NONE);
  }

  public int frames() {
    return config.frameCount(0);
  }

  public int size() {
    return y.length;
  }

  /** The speakers of the clips, sorted: what {@link #speakerIndex()} counts in. */
  public List<String> speakers() {
    return clips.stream().map(LabeledClip::speaker).distinct().sorted().toList();
  }

  /** Each clip's speaker as an index into {@link #speakers()}. */
  public int[] speakerIndex() {
    List<String> speakers = speakers();
    return clips.stream().mapToInt(c -> speakers.indexOf(c.speaker())).toArray();
  }

  public static FeatureSet compute(List<LabeledClip> clips, List<String> labels, FeatureConfig config, Path cacheDir) {
    return compute(clips, labels, config, cacheDir, TelephoneLine.NONE);
  }

  /** As above, each clip's audio first through {@code line} (at the config's rate). */
  public static FeatureSet compute(List<LabeledClip> clips, List<String> labels, FeatureConfig config, Path cacheDir,
      TelephoneLine line) {
    line.checkRate(config.sampleRate());
    if (config.fixedLength() <= 0) {
      throw new IllegalArgumentException("training needs a feature config with fixed_length > 0 (the model's"
          + " input has a fixed number of frames); timnet-emodb uses 96000");
    }
    MfccExtractor extractor = new MfccExtractor(config);
    Path dir = cacheDir.resolve(sha256(config.toJson() + line.cacheKey()).substring(0, 16));
    float[][] x = new float[clips.size()][];
    int[] y = new int[clips.size()];
    AtomicInteger hits = new AtomicInteger();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create feature cache " + dir, e);
    }
    for (int i = 0; i < clips.size(); i++) {
      String label = clips.get(i).label();
      y[i] = labels.indexOf(label);
      if (y[i] < 0) {
        throw new CorpusException(clips.get(i).audio() + ": label \"" + label + "\" is not among " + labels);
      }
    }
    java.util.stream.IntStream.range(0, clips.size()).parallel().forEach(i -> {
      try {
        Path audio = clips.get(i).audio();
        Path entry = dir.resolve(sha256(audio.toAbsolutePath() + "|" + Files.size(audio) + "|"
            + Files.getLastModifiedTime(audio).toMillis()).substring(0, 32) + ".f32");
        if (Files.exists(entry)) {
          x[i] = MfccMatrix.readF32(entry, config.nMfcc()).data();
          hits.incrementAndGet();
        } else {
          MfccMatrix m = extractor.extract(line.apply(WavFile.readMono(audio, config.sampleRate()), clipKey(audio)));
          Path tmp = Files.createTempFile(dir, "entry", ".tmp");
          m.writeF32(tmp);
          Files.move(tmp, entry, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          x[i] = m.data();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot compute features of " + clips.get(i).audio(), e);
      }
    });
    return new FeatureSet(config, List.copyOf(labels), List.copyOf(clips), x, y, hits.get(), line);
  }

  /**
   * Training versions of every clip ({@code [clip][version]}), not cached, about a second per
   * version for EmoDB: first its MFCCs over frequency axes warped by each of {@code warps} (vocal
   * tract length perturbation), then those of its audio played at each of {@code speeds} times its
   * speed (speed perturbation: resampled as if recorded at {@code speed} times the rate, so 1.1 is
   * 10 % faster and higher; the speaker's change, so before the telephone line).
   */
  public float[][][] versions(double[] warps, double[] speeds) {
    MfccExtractor[] extractors = new MfccExtractor[warps.length];
    for (int f = 0; f < warps.length; f++) {
      extractors[f] = MfccExtractor.warped(config, warps[f]);
    }
    MfccExtractor plain = new MfccExtractor(config);
    int rate = config.sampleRate();
    float[][][] out = new float[clips.size()][warps.length + speeds.length][];
    java.util.stream.IntStream.range(0, clips.size()).parallel().forEach(i -> {
      try {
        Path file = clips.get(i).audio();
        float[] raw = WavFile.readMono(file, rate);
        float[] audio = line.apply(raw, clipKey(file));
        for (int f = 0; f < warps.length; f++) {
          out[i][f] = extractors[f].extract(audio).data();
        }
        for (int v = 0; v < speeds.length; v++) {
          float[] faster = AudioResampler.resample(raw, (int) Math.round(rate * speeds[v]), rate);
          out[i][warps.length + v] = plain.extract(line.apply(faster, clipKey(file))).data();
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot compute features of " + clips.get(i).audio(), e);
      }
    });
    return out;
  }

  /** What a clip's simulated packet losses depend on: its file name (the same clip loses the same packets anywhere). */
  static String clipKey(Path audio) {
    return audio.getFileName().toString();
  }

  /** Hex SHA-256 of a string's UTF-8 bytes. */
  public static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
