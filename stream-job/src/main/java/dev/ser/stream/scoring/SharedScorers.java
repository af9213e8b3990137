package dev.ser.stream.scoring;

import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.ModelChecksum;
import dev.ser.core.scoring.provider.InferenceDevice;
import dev.ser.schemas.ModelUpdate;
import dev.ser.schemas.ModelUpdateSignature;
import dev.ser.stream.model.ModelCandidateCheck;
import dev.ser.stream.model.ModelFetcher;
import dev.ser.stream.model.ModelSwitchboard;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
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
 * The models a TaskManager scores with: one {@link ModelSwitchboard} per job and settings per JVM,
 * shared by every slot (so batches form across slots and calls, a model's memory is paid once, and
 * a model update is loaded once per TaskManager; two jobs in one session cluster never share one, so
 * one job's update never changes the other's model). It starts with the job's model file and swaps
 * to what model updates request, after {@link ModelCandidateCheck} passed them. Reference-counted:
 * when the last lease is closed the switchboard lingers for {@link #LINGER}, so the tasks of a
 * restart within the same TaskManager find the model that was active (no reload of the job's first
 * model); then it closes, and with it the active model.
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
      String updateAllowedHosts, String updateCaCertificates, long updateFetchTimeoutMs) implements Serializable {

    public Spec(String modelPath, InferenceDevice device, int intraOpThreads, int maxBatchSize, long maxBatchWaitMicros,
        int scoringThreads, String modelSha256) {
      this(modelPath, device, intraOpThreads, maxBatchSize, maxBatchWaitMicros, scoringThreads, modelSha256, "", "", "",
          60_000);
    }

    /** How https model locations are downloaded. */
    public ModelFetcher fetcher() throws Exception {
      return new ModelFetcher(updateCaCertificates.isEmpty() ? null : Path.of(updateCaCertificates),
          Duration.ofMillis(updateFetchTimeoutMs), MAX_MODEL_BYTES);
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
    java.util.concurrent.ScheduledFuture<?> closing;

    Entry(ModelSwitchboard<ScoringModel> switchboard, ExecutorService loading) {
      this.switchboard = switchboard;
      this.loading = loading;
    }
  }

  /** The largest model file an https location may hold (the shipped model is 0.5 MB). */
  public static final long MAX_MODEL_BYTES = 512L * 1024 * 1024;

  /** How long an unused switchboard waits for the tasks of a restart before it closes. */
  public static final Duration LINGER = Duration.ofSeconds(60);

  /** A job's scorer in this JVM: its settings and the job it serves. */
  private record Key(Spec spec, String job) {}

  private static final Map<Key, Entry> ENTRIES = new HashMap<>();
  private static final java.util.concurrent.ScheduledExecutorService CLOSER =
      Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ser-scorer-closer");
        t.setDaemon(true);
        return t;
      });

  private SharedScorers() {}

  /** A handle on the shared switchboard; close it when the operator closes. */
  public static final class Lease implements AutoCloseable {
    private final Key key;
    private final Entry entry;
    private boolean closed;

    private Lease(Key key, Entry entry) {
      this.key = key;
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
          entry.closing = CLOSER.schedule(() -> closeUnused(key, entry), LINGER.toMillis(),
              java.util.concurrent.TimeUnit.MILLISECONDS);
        }
      }
    }
  }

  private static void closeUnused(Key key, Entry entry) {
    synchronized (ENTRIES) {
      if (entry.users > 0 || ENTRIES.get(key) != entry) {
        return; // taken again by a restarted task
      }
      ENTRIES.remove(key);
    }
    // outside the lock: closing waits for a batch in flight, and other jobs' tasks must not wait for that
    entry.switchboard.close(); // the active model closes after its last utterance in flight
    entry.loading.shutdown(); // a load still running finishes and its model is closed unused
    LOG.info("closed the shared scorer for {} of job {}", key.spec().modelPath(), key.job());
  }

  /** The shared scorer of job {@code job} (its id) with these settings; made on first use in this JVM. */
  public static Lease acquire(Spec spec, String job) throws Exception {
    Key key = new Key(spec, job);
    synchronized (ENTRIES) {
      Entry e = ENTRIES.get(key);
      if (e != null && e.closing != null) {
        e.closing.cancel(false);
        e.closing = null;
      }
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
        e = new Entry(new ModelSwitchboard<>(initial, loader(spec, check, spec.fetcher(), initial), loading), loading);
        ENTRIES.put(key, e);
        LOG.info("opened the shared scorer for {} ({} {}) on {}, batches of up to {} within {} us, {} scoring threads",
            spec.modelPath(), scorer.metadata().name(), scorer.metadata().version(), scorer.device(),
            spec.maxBatchSize(), spec.maxBatchWaitMicros(), spec.scoringThreads());
      }
      e.users++;
      return new Lease(key, e);
    }
  }

  private static ScoringModel open(Spec spec, EmotionScorer scorer) {
    return new ScoringModel(scorer, spec.maxBatchSize(), Duration.ofNanos(spec.maxBatchWaitMicros() * 1000),
        spec.scoringThreads());
  }

  /**
   * Checks the model an update names against the job's first model (downloading it first when its
   * location is https and the checks that need no file passed) and, if it passes, opens it to score.
   */
  private static Function<ModelUpdate, ModelSwitchboard.Loaded<ScoringModel>> loader(Spec spec,
      ModelCandidateCheck check, ModelFetcher fetcher, ScoringModel initial) {
    return u -> {
      Path file = ModelCandidateCheck.localPath(u);
      Path fetched = null;
      ModelCandidateCheck.Verdict v;
      try {
        if (file == null && check.beforeFetch(u) == null) {
          try {
            fetched = fetcher.fetch(u.getLocation(), Path.of(System.getProperty("java.io.tmpdir")));
            file = fetched;
          } catch (ModelFetcher.FetchException e) {
            return refused(u, ModelCandidateCheck.Check.LOCATION, e.getMessage());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return refused(u, ModelCandidateCheck.Check.LOCATION, "the download was interrupted (the job stopped)");
          }
        }
        v = check.check(u, file, initial.metadata());
      } finally {
        if (fetched != null) {
          try {
            Files.deleteIfExists(fetched); // ONNX Runtime holds the model in memory once loaded
          } catch (java.io.IOException ignored) {
            // a temporary file left behind
          }
        }
      }
      if (!v.accepted()) {
        return refused(u, v.refusedBy(), v.reason());
      }
      LOG.info("{} {} from {} passed every check", u.getModelName(), u.getModelVersion(), u.getLocation());
      return ModelSwitchboard.Loaded.accepted(open(spec, v.scorer()));
    };
  }

  private static ModelSwitchboard.Loaded<ScoringModel> refused(ModelUpdate u, ModelCandidateCheck.Check check,
      String reason) {
    LOG.warn("refused the model update to {} {} ({}): {} check: {}", u.getModelName(), u.getModelVersion(),
        u.getLocation(), check, reason);
    return ModelSwitchboard.Loaded.refused(check, reason);
  }

  /** Shared scorers in use now (for tests: 0 once every operator closed its lease). */
  public static int openCount() {
    synchronized (ENTRIES) {
      return (int) ENTRIES.values().stream().filter(e -> e.users > 0).count();
    }
  }

  /** Closes the unused ones now instead of after {@link #LINGER} (for tests that need a fresh TaskManager). */
  public static void closeUnused() {
    List<Map.Entry<Key, Entry>> unused = new java.util.ArrayList<>();
    synchronized (ENTRIES) {
      for (Map.Entry<Key, Entry> e : ENTRIES.entrySet()) {
        if (e.getValue().users == 0) {
          if (e.getValue().closing != null) {
            e.getValue().closing.cancel(false);
          }
          unused.add(Map.entry(e.getKey(), e.getValue()));
        }
      }
    }
    unused.forEach(e -> closeUnused(e.getKey(), e.getValue()));
  }
}
