package dev.ser.stream.model;

import ai.onnxruntime.OrtException;
import dev.ser.core.features.MfccMatrix;
import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.ModelChecksum;
import dev.ser.core.scoring.ModelMetadata;
import dev.ser.core.scoring.provider.InferenceDevice;
import dev.ser.schemas.ModelBand;
import dev.ser.schemas.ModelUpdate;
import dev.ser.schemas.ModelUpdateSignature;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything a model named by a {@link ModelUpdate} must pass before it may replace the running
 * one, in this order: a band the job knows; the signature, when the job has a public key; a
 * location the job may read (an absolute path, or https on an allowed host); the file's SHA-256;
 * ONNX Runtime loads it and its graph agrees with its metadata (input shape from its feature
 * configuration, one output per label); its metadata names the model and version the update
 * names; the same labels as the running model (alert rules and consumers depend on them); the
 * running model's sample rate (the job cuts utterances at that rate; other feature settings may
 * change, as features are computed per model); and a
 * self-test run on a fixed input gives a finite probability per label that sum to 1. The first
 * check that fails is the refusal; the running model keeps scoring.
 */
public final class ModelCandidateCheck {

  /** The checks, in the order they run. */
  public enum Check { BAND, SIGNATURE, LOCATION, SHA256, NOT_A_MODEL, IDENTITY, LABELS, SAMPLE_RATE, SELF_TEST }

  /** What the job allows: a public key (null: updates need no signature) and the hosts of https locations. */
  public record Policy(PublicKey publicKey, Set<String> allowedHosts) {
    public Policy {
      allowedHosts = Set.copyOf(allowedHosts);
    }
  }

  /** The outcome: a loaded scorer (the caller owns and closes it), or the check that refused it and why. */
  public record Verdict(EmotionScorer scorer, Check refusedBy, String reason) {
    public boolean accepted() {
      return scorer != null;
    }

    static Verdict refused(Check check, String reason) {
      return new Verdict(null, check, reason);
    }
  }

  private final Policy policy;
  private final InferenceDevice device;
  private final int intraOpThreads;

  public ModelCandidateCheck(Policy policy, InferenceDevice device, int intraOpThreads) {
    this.policy = policy;
    this.device = device;
    this.intraOpThreads = intraOpThreads;
  }

  /**
   * Where the file of {@code u} is read from when its location is a path; for an https location
   * (fetched by the caller into a local file) null. Refusals of the location itself come from
   * {@link #check}.
   */
  public static Path localPath(ModelUpdate u) {
    String location = u.getLocation();
    return location.startsWith("/") ? Path.of(location) : null;
  }

  /**
   * Checks {@code u} with its file at {@code file} (the path it names, or where its URL was fetched
   * to) against a job whose running model is described by {@code running}.
   */
  public Verdict check(ModelUpdate u, Path file, ModelMetadata running) {
    Verdict before = beforeFetch(u);
    if (before != null) {
      return before;
    }
    if (file == null && u.getLocation().startsWith("https://")) {
      return Verdict.refused(Check.LOCATION, "the file at " + u.getLocation() + " was not fetched");
    }
    if (file == null || !Files.isRegularFile(file)) {
      return Verdict.refused(Check.LOCATION, "no file at " + (file == null ? u.getLocation() : file));
    }
    try {
      String actual = ModelChecksum.sha256(file);
      if (!actual.equalsIgnoreCase(u.getSha256())) {
        return Verdict.refused(Check.SHA256, "the file's SHA-256 is " + actual + ", the update names " + u.getSha256());
      }
    } catch (java.io.IOException e) {
      return Verdict.refused(Check.LOCATION, "cannot read " + file + ": " + e.getMessage());
    }
    EmotionScorer scorer;
    try {
      scorer = EmotionScorer.open(file, device, intraOpThreads);
    } catch (OrtException | RuntimeException e) {
      return Verdict.refused(Check.NOT_A_MODEL, "ONNX Runtime cannot use it as an emotion model: " + e.getMessage());
    }
    Verdict v = checkLoaded(u, scorer, running);
    if (!v.accepted()) {
      try {
        scorer.close();
      } catch (OrtException ignored) {
        // refused anyway; the reason is what matters
      }
    }
    return v;
  }

  /**
   * The checks that need no file (band, signature, location), in their order: the refusal, or null
   * when the file may be fetched and checked. Run before an https download, so an update that is not
   * signed or names another host fetches nothing.
   */
  public Verdict beforeFetch(ModelUpdate u) {
    if (u.getBand() == ModelBand.UNKNOWN) {
      return Verdict.refused(Check.BAND, "the update is for a band this job does not know (read as UNKNOWN)");
    }
    if (policy.publicKey() != null) {
      if (u.getSignature() == null) {
        return Verdict.refused(Check.SIGNATURE, "the job requires signed updates and this one carries no signature");
      }
      try {
        if (!ModelUpdateSignature.verify(policy.publicKey(), u)) {
          return Verdict.refused(Check.SIGNATURE, "the signature does not verify with the job's public key (signed by"
              + " another key, or the name, version, SHA-256 or band changed after signing)");
        }
      } catch (GeneralSecurityException e) {
        return Verdict.refused(Check.SIGNATURE, "the signature could not be checked: " + e.getMessage());
      }
    }
    String location = locationProblem(u.getLocation());
    if (location != null) {
      return Verdict.refused(Check.LOCATION, location);
    }
    return null;
  }

  private Verdict checkLoaded(ModelUpdate u, EmotionScorer scorer, ModelMetadata running) {
    List<String> labels = running.labels();
    var m = scorer.metadata();
    if (!m.name().equals(u.getModelName()) || !m.version().equals(u.getModelVersion())) {
      return Verdict.refused(Check.IDENTITY, "the file is " + m.name() + " " + m.version() + ", the update names "
          + u.getModelName() + " " + u.getModelVersion());
    }
    if (!new TreeSet<>(m.labels()).equals(new TreeSet<>(labels))) {
      return Verdict.refused(Check.LABELS, "its labels " + m.labels() + " are not the running model's " + labels);
    }
    if (m.features().sampleRate() != running.features().sampleRate()) {
      return Verdict.refused(Check.SAMPLE_RATE, "its features are at " + m.features().sampleRate()
          + " Hz; the job cuts utterances at the running model's " + running.features().sampleRate() + " Hz");
    }
    int frames = m.features().frameCount(0);
    int coefficients = m.features().nMfcc();
    float[] input = new float[frames * coefficients];
    for (int i = 0; i < input.length; i++) {
      input[i] = (float) (10 * Math.sin(0.37 * i)); // fixed, not silence: every input value matters
    }
    try {
      float[] p = scorer.probabilities(List.of(new MfccMatrix(frames, coefficients, input)))[0];
      double sum = 0;
      for (float x : p) {
        if (!Float.isFinite(x) || x < 0 || x > 1) {
          return Verdict.refused(Check.SELF_TEST, "the self-test gave " + java.util.Arrays.toString(p)
              + ", not one probability per label");
        }
        sum += x;
      }
      if (Math.abs(sum - 1) > 1e-3) {
        return Verdict.refused(Check.SELF_TEST, String.format(Locale.ROOT,
            "the self-test's probabilities add up to %.4f, not 1", sum));
      }
    } catch (OrtException | RuntimeException e) {
      return Verdict.refused(Check.SELF_TEST, "the self-test failed: " + e.getMessage());
    }
    return new Verdict(scorer, null, null);
  }

  /** Null when the job may read {@code location}, else why not. */
  public String locationProblem(String location) {
    if (location.startsWith("/")) {
      return location.contains("/../") || location.endsWith("/..") ? "the path " + location + " climbs with .." : null;
    }
    if (location.startsWith("https://")) {
      String host;
      try {
        host = URI.create(location).getHost();
      } catch (IllegalArgumentException e) {
        return "not a URL: " + location;
      }
      if (host == null || !policy.allowedHosts().contains(host.toLowerCase(Locale.ROOT))) {
        return "host " + host + " is not one the job may fetch models from " + new TreeSet<>(policy.allowedHosts())
            + " (model-update-allowed-hosts)";
      }
      return null;
    }
    return "the location must be an absolute path or an https URL, got " + location;
  }
}
