package dev.ser.core.features;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.core.audio.WavFile;
import dev.ser.core.io.Float32File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The librosa reference vectors, read from a folder laid out like
 * {@code shared/reference/librosa-mfcc/} with WAVs under {@code data/emodb/wav/} (the bundled
 * subset in test resources mirrors it). See that folder's README for the format.
 */
public final class ReferenceVectors {

  /** One reference: its expected MFCCs and where its input is. */
  public record Entry(String config, String name, Path expected, int frames, Path inputWav, Path inputF32) {

    public MfccMatrix expectedMfcc() throws IOException {
      MfccMatrix m = MfccMatrix.readF32(expected, 39);
      if (m.frames() != frames) {
        throw new IllegalStateException(expected + " has " + m.frames() + " frames, manifest says " + frames);
      }
      return m;
    }

    /** The exact signal librosa's mfcc was called with, for the MFCC-stage comparison. */
    public float[] mfccStageInput() throws IOException {
      return inputF32 != null ? Float32File.read(inputF32) : WavFile.read(inputWav).channel(0);
    }

    public boolean hasWav() {
      return inputWav != null;
    }

    @Override
    public String toString() {
      return config + "/" + name;
    }
  }

  private ReferenceVectors() {}

  /**
   * The subset bundled in this module's test resources, laid out like {@code shared/}. From another
   * module (this class in the test jar) it is read from the source tree, next to the samples.
   */
  public static Path bundled() {
    try {
      java.net.URL url = ReferenceVectors.class.getResource("/shared-subset");
      if (url != null && url.getProtocol().equals("file")) {
        return Path.of(url.toURI());
      }
      return Path.of(System.getProperty("ser.samples.dir")).resolveSibling("speech-core/src/test/resources/shared-subset");
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The full set under {@code ../shared} when it is there: the folder with {@code reference/} and
   * {@code data/}, from the {@code ser.shared.dir} system property (set by the build).
   */
  public static Optional<Path> shared() {
    String dir = System.getProperty("ser.shared.dir");
    if (dir == null) {
      return Optional.empty();
    }
    Path root = Path.of(dir);
    return Files.isDirectory(root.resolve("reference/librosa-mfcc")) && Files.isDirectory(root.resolve("data/emodb/wav"))
        ? Optional.of(root.normalize()) : Optional.empty();
  }

  public static List<Entry> entries(Path root, String config) {
    Path dir = root.resolve("reference/librosa-mfcc").resolve(config);
    try {
      JsonNode manifest = new ObjectMapper().readTree(dir.resolve("manifest.json").toFile());
      List<Entry> out = new ArrayList<>();
      for (JsonNode e : manifest.get("entries")) {
        Path wav = e.hasNonNull("input_wav") ? root.resolve("data").resolve(e.get("input_wav").asText()) : null;
        Path f32 = e.hasNonNull("input_f32") ? dir.resolve(e.get("input_f32").asText()) : null;
        out.add(new Entry(config, e.get("name").asText(), dir.resolve(e.get("file").asText()),
            e.get("shape").get(0).asInt(), wav, f32));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Largest absolute difference between two matrices of the same shape. */
  public static double maxAbsDiff(MfccMatrix actual, MfccMatrix expected) {
    if (actual.frames() != expected.frames() || actual.coefficients() != expected.coefficients()) {
      throw new AssertionError("shape " + actual.frames() + "x" + actual.coefficients() + " != expected "
          + expected.frames() + "x" + expected.coefficients());
    }
    double max = 0;
    for (int i = 0; i < actual.data().length; i++) {
      max = Math.max(max, Math.abs((double) actual.data()[i] - expected.data()[i]));
    }
    return max;
  }
}
