package dev.ser.stream.scoring;

import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.provider.InferenceDevice;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One ONNX Runtime session and one {@link MicroBatcher} per model and settings per JVM, shared by
 * every slot of a task manager (so batches form across slots and calls, and the model's memory is
 * paid once). Reference-counted: the last lease closed closes the session.
 */
public final class SharedScorers {

  private static final Logger LOG = LoggerFactory.getLogger(SharedScorers.class);

  /** What identifies a shared scorer. */
  public record Spec(String modelPath, InferenceDevice device, int intraOpThreads, int maxBatchSize,
      long maxBatchWaitMicros, int scoringThreads, String modelSha256) implements Serializable {}

  private static final class Entry {
    final EmotionScorer scorer;
    final MicroBatcher batcher;
    int users;

    Entry(EmotionScorer scorer, MicroBatcher batcher) {
      this.scorer = scorer;
      this.batcher = batcher;
    }
  }

  private static final Map<Spec, Entry> ENTRIES = new HashMap<>();

  private SharedScorers() {}

  /** A handle on the shared scorer; close it when the operator closes. */
  public static final class Lease implements AutoCloseable {
    private final Spec spec;
    private final Entry entry;
    private boolean closed;

    private Lease(Spec spec, Entry entry) {
      this.spec = spec;
      this.entry = entry;
    }

    public EmotionScorer scorer() {
      return entry.scorer;
    }

    public MicroBatcher batcher() {
      return entry.batcher;
    }

    @Override
    public void close() throws Exception {
      synchronized (ENTRIES) {
        if (closed) {
          return;
        }
        closed = true;
        if (--entry.users == 0) {
          ENTRIES.remove(spec);
          if (entry.batcher.stop(Duration.ofSeconds(30))) {
            entry.scorer.close();
            LOG.info("closed the shared scorer for {}", spec.modelPath());
          } else {
            // closing the session under a running inference would crash the JVM: leave it to the process's end
            LOG.warn("an inference of {} still runs 30 s after its operators closed; its ONNX Runtime session is left"
                + " open (a hung model call?)", spec.modelPath());
          }
        }
      }
    }
  }

  public static Lease acquire(Spec spec) throws Exception {
    synchronized (ENTRIES) {
      Entry e = ENTRIES.get(spec);
      if (e == null) {
        // the file this TaskManager sees must be the one the job was built with
        dev.ser.core.scoring.ModelChecksum.verify(Path.of(spec.modelPath()), spec.modelSha256());
        EmotionScorer scorer = EmotionScorer.open(Path.of(spec.modelPath()), spec.device(), spec.intraOpThreads());
        e = new Entry(scorer, new MicroBatcher(scorer, spec.maxBatchSize(), Duration.ofNanos(spec.maxBatchWaitMicros() * 1000),
            spec.scoringThreads()));
        ENTRIES.put(spec, e);
        LOG.info("opened the shared scorer for {} ({} {}) on {}, batches of up to {} within {} us, {} scoring threads",
            spec.modelPath(), scorer.metadata().name(), scorer.metadata().version(), scorer.device(),
            spec.maxBatchSize(), spec.maxBatchWaitMicros(), spec.scoringThreads());
      }
      e.users++;
      return new Lease(spec, e);
    }
  }

  /** Shared scorers open now (for tests: 0 once every operator closed). */
  public static int openCount() {
    synchronized (ENTRIES) {
      return ENTRIES.size();
    }
  }
}
