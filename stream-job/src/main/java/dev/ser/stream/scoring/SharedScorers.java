package dev.ser.stream.scoring;

import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.ModelChecksum;
import dev.ser.core.scoring.provider.InferenceDevice;
import dev.ser.schemas.ModelUpdate;
import dev.ser.schemas.ModelUpdateSignature;
import dev.ser.stream.model.ModelCandidateCheck;
import dev.ser.stream.model.ModelSwitchboard;
import java.io.Serializable;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models a TaskManager scores with: per job settings, one {@link ModelSwitchboard} per JVM,
 * shared by every slot (so batches form across slots and calls, a model's memory is paid once, and
 * a model update is loaded once per TaskManager). It starts with the job's model file and swaps to
 * what model updates request, after {@link ModelCandidateCheck} passed them. Reference-counted: the
 * last lease closed closes the switchboard and with it the active model.
 */
public final class SharedScorers {

  private static final Logger LOG = LoggerFactory.getLogger(SharedScorers.class);

  /**
   * What identifies a shared scorer.
   *
   * @param updatePublicKeyFile PEM file of the Ed25519 key model updates must be signed with; empty: unsigned
   *                            updates are accepted
   * @param updateAllowedHosts  comma-separated hosts of https model locations; empty: none
   */
  public record Spec(String modelPath, InferenceDevice device, int intraOpThreads, int maxBatchSize,
      long maxBatchWaitMicros, int scoringThreads, String modelSha256, String updatePublicKeyFile,
      String updateAllowedHosts) implements Serializable {

    public Spec(String modelPath, InferenceDevice device, int intraOpThreads, int maxBatchSize, long maxBatchWaitMicros,
        int scoringThreads, String modelSha256) {
      this(modelPath, device, intraOpThreads, maxBatchSize, maxBatchWaitMicros, scoringThreads, modelSha256, "", "");
    }

    /** The policy model updates are checked against (reads the public key file). */
    public ModelCandidateCheck.Policy updatePolicy() throws Exception {
      PublicKey key = updatePublicKeyFile.isEmpty() ? null : ModelUpdateSignature.readPublicKey(Path.of(updatePublicKeyFile));
      Set<String> hosts = Arrays.stream(updateAllowedHosts.split(",")).map(String::trim).filter(h -> !h.isEmpty())
          .map(h -> h.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
      return new ModelCandidateCheck.Policy(key, hosts);
    }
  }

  private static final class Entry {
    final ModelSwitchboard<ScoringModel> switchboard;
    final ExecutorService loading;
    int users;

    Entry(ModelSwitchboard<ScoringModel> switchboard, ExecutorService loading) {
      this.switchboard = switchboard;
      this.loading = loading;
    }
  }

  private static final Map<Spec, Entry> ENTRIES = new HashMap<>();

  private SharedScorers() {}

  /** A handle on the shared switchboard; close it when the operator closes. */
  public static final class Lease implements AutoCloseable {
    private final Spec spec;
    private final Entry entry;
    private boolean closed;

    private Lease(Spec spec, Entry entry) {
      this.spec = spec;
      this.entry = entry;
    }

    public ModelSwitchboard<ScoringModel> switchboard() {
      return entry.switchboard;
    }

    @Override
    public void close() {
      synchronized (ENTRIES) {
        if (closed) {
          return;
        }
        closed = true;
        if (--entry.users == 0) {
          ENTRIES.remove(spec);
          entry.switchboard.close(); // the active model closes after its last utterance in flight
          entry.loading.shutdown(); // a load still running finishes and its model is closed unused
          LOG.info("closed the shared scorer for {}", spec.modelPath());
        }
      }
    }
  }

  public static Lease acquire(Spec spec) throws Exception {
    synchronized (ENTRIES) {
      Entry e = ENTRIES.get(spec);
      if (e == null) {
        // the file this TaskManager sees must be the one the job was built with
        ModelChecksum.verify(Path.of(spec.modelPath()), spec.modelSha256());
        ModelCandidateCheck check = new ModelCandidateCheck(spec.updatePolicy(), spec.device(), spec.intraOpThreads());
        EmotionScorer scorer = EmotionScorer.open(Path.of(spec.modelPath()), spec.device(), spec.intraOpThreads());
        ScoringModel initial = open(spec, scorer);
        ExecutorService loading = Executors.newSingleThreadExecutor(r -> {
          Thread t = new Thread(r, "ser-model-loader");
          t.setDaemon(true);
          return t;
        });
        e = new Entry(new ModelSwitchboard<>(initial, loader(spec, check, initial), loading), loading);
        ENTRIES.put(spec, e);
        LOG.info("opened the shared scorer for {} ({} {}) on {}, batches of up to {} within {} us, {} scoring threads",
            spec.modelPath(), scorer.metadata().name(), scorer.metadata().version(), scorer.device(),
            spec.maxBatchSize(), spec.maxBatchWaitMicros(), spec.scoringThreads());
      }
      e.users++;
      return new Lease(spec, e);
    }
  }

  private static ScoringModel open(Spec spec, EmotionScorer scorer) {
    return new ScoringModel(scorer, spec.maxBatchSize(), Duration.ofNanos(spec.maxBatchWaitMicros() * 1000),
        spec.scoringThreads());
  }

  /** Checks the model an update names against the job's first model and, if it passes, opens it to score. */
  private static Function<ModelUpdate, ModelSwitchboard.Loaded<ScoringModel>> loader(Spec spec,
      ModelCandidateCheck check, ScoringModel initial) {
    return u -> {
      ModelCandidateCheck.Verdict v = check.check(u, ModelCandidateCheck.localPath(u), initial.metadata());
      if (!v.accepted()) {
        LOG.warn("refused the model update to {} {} ({}): {} check: {}", u.getModelName(), u.getModelVersion(),
            u.getLocation(), v.refusedBy(), v.reason());
        return ModelSwitchboard.Loaded.refused(v.refusedBy(), v.reason());
      }
      LOG.info("{} {} from {} passed every check", u.getModelName(),
          u.getModelVersion(), u.getLocation());
      return ModelSwitchboard.Loaded.accepted(open(spec, v.scorer()));
    };
  }

  /** Shared scorers open now (for tests: 0 once every operator closed). */
  public static int openCount() {
    synchronized (ENTRIES) {
      return ENTRIES.size();
    }
  }
}
