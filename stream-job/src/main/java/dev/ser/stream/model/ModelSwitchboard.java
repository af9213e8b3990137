package dev.ser.stream.model;

import dev.ser.schemas.ModelUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model a JVM scores with, and the swap to another one without stopping: the running model
 * stays active while a requested one is loaded and checked on another thread; only a model that
 * passed every check replaces it, atomically, between two {@link #acquire()}s. Whoever scores holds
 * a {@link Lease} for as long as an utterance is in flight with a model, so a replaced model is
 * closed when its last utterance completed, never under one. A newer request supersedes an older
 * one still being checked; a request for the model already active or already being checked changes
 * nothing. What happened to each request is kept for {@link #drainStatuses()}.
 *
 * <p>A request may <em>hold</em> scoring: the job does so for the model it restored from a
 * checkpoint, so that no utterance after a restart is scored by an older model than the one the
 * job had accepted before it. While a holding request loads, {@link #acquire()} waits (at most the
 * hold limit) and then returns whatever is active: the restored model, or, if it was refused, the
 * one before it.
 *
 * @param <M> what is swapped: in the job, a model's scorer, batcher and feature extractor together
 */
public final class ModelSwitchboard<M extends AutoCloseable> implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ModelSwitchboard.class);

  /** The outcome of a request: accepted (now active) or refused, with the check and the reason. */
  public record Status(ModelUpdate update, boolean accepted, ModelCandidateCheck.Check refusedBy, String reason) {}

  /**
   * Told each outcome as it happens, on the loading thread (the job writes them to its status topic).
   * {@code active} is the update whose model is active after it, null for the job's first model.
   */
  public interface StatusListener extends AutoCloseable {
    void onStatus(Status status, ModelUpdate active);

    /** Makes the listener on the TaskManager (the job graph carries the factory). */
    interface Factory extends java.io.Serializable {
      StatusListener create();
    }

    @Override
    default void close() {}
  }

  /** What a loader returns: the loaded model, or why not. */
  public record Loaded<M>(M model, ModelCandidateCheck.Check refusedBy, String reason) {
    public static <M> Loaded<M> accepted(M model) {
      return new Loaded<>(Objects.requireNonNull(model), null, null);
    }

    public static <M> Loaded<M> refused(ModelCandidateCheck.Check check, String reason) {
      return new Loaded<>(null, check, reason);
    }
  }

  /** One model with its users; closed when retired and unused. */
  private final class Slot {
    final M model;
    final ModelUpdate update; // null for the model the job started with
    int users;
    boolean retired;

    Slot(M model, ModelUpdate update) {
      this.model = model;
      this.update = update;
    }
  }

  /** A use of the active model; close it when the utterance completed (scored or failed). */
  public final class Lease implements AutoCloseable {
    private final Slot slot;
    private boolean closed;

    private Lease(Slot slot) {
      this.slot = slot;
    }

    public M model() {
      return slot.model;
    }

    /** The update that made this model active; null for the model the job started with. */
    public ModelUpdate update() {
      return slot.update;
    }

    @Override
    public void close() throws Exception {
      M toClose = null;
      synchronized (ModelSwitchboard.this) {
        if (closed) {
          return;
        }
        closed = true;
        slot.users--;
        if (slot.retired && slot.users == 0) {
          toClose = slot.model;
        }
      }
      if (toClose != null) {
        toClose.close();
      }
    }
  }

  private final Function<ModelUpdate, Loaded<M>> loader;
  private final Executor loading;
  private final List<Status> statuses = new ArrayList<>();
  private StatusListener listener;
  private Slot active;
  private ModelUpdate pending;
  /**
   * The last update refused, as read: the same record asked for again (every subtask of a
   * TaskManager sees every broadcast update) is not loaded again; a republished one (a new
   * issued-at) or a restore's holding request is.
   */
  private ModelUpdate lastRefused;
  /** The number of the request scoring waits for, or 0. */
  private long holdingFor;
  private final long holdLimitNanos;
  private long requests;
  private boolean closed;

  /**
   * @param initial the model the job started with
   * @param loader  loads and checks the model an update names (runs on {@code loading})
   * @param loading where loads run: one background thread in the job, the caller's in tests
   */
  public ModelSwitchboard(M initial, Function<ModelUpdate, Loaded<M>> loader, Executor loading) {
    this(initial, loader, loading, java.time.Duration.ofSeconds(60));
  }

  /** @param holdLimit the longest {@link #acquire()} waits for a holding request */
  public ModelSwitchboard(M initial, Function<ModelUpdate, Loaded<M>> loader, Executor loading,
      java.time.Duration holdLimit) {
    this.active = new Slot(initial, null);
    this.loader = loader;
    this.loading = loading;
    this.holdLimitNanos = holdLimit.toNanos();
  }

  /**
   * The active model, held until the lease is closed; while a holding request loads, waits for its
   * outcome (at most the hold limit).
   */
  public synchronized Lease acquire() throws InterruptedException {
    long deadline = System.nanoTime() + holdLimitNanos;
    while (holdingFor != 0 && !closed) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        break; // a load that hangs must not stop scoring for good: the active model scores
      }
      java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    if (closed) {
      throw new IllegalStateException("the model switchboard is closed");
    }
    active.users++;
    return new Lease(active);
  }

  /** The update that made the active model active; null while the job's first model is active. */
  public synchronized ModelUpdate activeUpdate() {
    return active.update;
  }

  /**
   * Asks for the model {@code u} names. Returns at once; the model is loaded and checked on the
   * loading executor and becomes active only if it passes, and only if no newer request came.
   */
  public void request(ModelUpdate u) {
    request(u, false);
  }

  /**
   * As {@link #request(ModelUpdate)}; with {@code holdScoring}, {@link #acquire()} waits until this
   * request (or a newer one) has an outcome.
   */
  public void request(ModelUpdate u, boolean holdScoring) {
    request(List.of(u), holdScoring);
  }

  /**
   * Asks for the first of {@code candidates} that passes its checks, tried in order (a restored job
   * asks for its latest update, then the ones before it, so one refused there falls back to the one
   * accepted before it, not to the job's first model). A candidate that is already active ends the
   * search with nothing to load.
   */
  public void request(List<ModelUpdate> candidates, boolean holdScoring) {
    if (candidates.isEmpty()) {
      return;
    }
    ModelUpdate first = candidates.get(0);
    long mine;
    synchronized (this) {
      if (closed || sameModel(first, active.update) || (!holdScoring && first.equals(lastRefused))) {
        return;
      }
      if (sameModel(first, pending)) {
        if (holdScoring && holdingFor == 0) {
          holdingFor = requests;
        }
        return;
      }
      pending = first;
      mine = ++requests;
      if (holdScoring || holdingFor != 0) {
        holdingFor = mine; // a newer request replaces the held one: wait for it instead
      }
    }
    List<ModelUpdate> chain = List.copyOf(candidates);
    loading.execute(() -> load(chain, mine));
  }

  private static boolean sameModel(ModelUpdate a, ModelUpdate b) {
    return a != null && b != null && a.getSha256().equalsIgnoreCase(b.getSha256()) && a.getBand() == b.getBand()
        && a.getModelVersion().equals(b.getModelVersion());
  }

  private void load(List<ModelUpdate> chain, long mine) {
    try {
      tryInOrder(chain, mine);
    } finally {
      tell();
    }
  }

  private void tryInOrder(List<ModelUpdate> chain, long mine) {
    for (ModelUpdate u : chain) {
      synchronized (this) {
        if (sameModel(u, active.update)) {
          settle(mine);
          return; // the one to fall back to is already active
        }
      }
      Loaded<M> loaded;
      try {
        loaded = loader.apply(u);
      } catch (RuntimeException e) {
        loaded = Loaded.refused(ModelCandidateCheck.Check.NOT_A_MODEL, "loading failed: " + e);
      }
      M toClose = null;
      boolean done = true;
      synchronized (this) {
        boolean superseded = mine != requests || closed;
        if (loaded.model() == null) {
          lastRefused = u;
          record(new Status(u, false, loaded.refusedBy(), loaded.reason()));
          done = superseded; // try the one before it, unless a newer request came
        } else if (superseded) {
          toClose = loaded.model(); // a newer request, or the end: this one is not needed
          record(new Status(u, false, null, closed ? "the job stopped before it was ready"
              : "a newer update was requested before it was ready"));
        } else {
          Slot old = active;
          active = new Slot(loaded.model(), u);
          old.retired = true;
          if (old.users == 0) {
            toClose = old.model;
          }
          record(new Status(u, true, null, null));
        }
        if (done) {
          settle(mine);
        }
      }
      closeQuietly(toClose);
      if (done) {
        return;
      }
    }
    synchronized (this) {
      settle(mine); // none passed: the active model stays
    }
  }

  /** An outcome not yet told to the listener, with the update active after it. */
  private record Untold(Status status, ModelUpdate active) {}

  private final List<Untold> untold = new ArrayList<>();

  /** Keeps {@code s} for {@link #drainStatuses()} and for the listener (called with the lock held). */
  private void record(Status s) {
    statuses.add(s);
    untold.add(new Untold(s, active.update));
  }

  /** Tells the listener what happened, outside the lock. */
  private void tell() {
    List<Untold> told;
    StatusListener l;
    synchronized (this) {
      told = new ArrayList<>(untold);
      untold.clear();
      l = listener;
    }
    if (l == null) {
      return;
    }
    for (Untold t : told) {
      try {
        l.onStatus(t.status(), t.active());
      } catch (RuntimeException e) {
        LOG.warn("could not report the outcome of model update {} {}: {}", t.status().update().getModelName(),
            t.status().update().getModelVersion(), e.toString());
      }
    }
  }

  /**
   * Sets the listener if there is none yet (the first of the TaskManager's tasks to open does);
   * returns whether {@code make} was used. The board closes it when it closes.
   */
  public boolean listenIfNone(java.util.function.Supplier<StatusListener> make) {
    synchronized (this) {
      if (listener != null || closed) {
        return false;
      }
      listener = make.get();
      return true;
    }
  }

  /** Request {@code mine} has its outcome: it is no longer pending, and scoring waiting for it goes on. */
  private void settle(long mine) {
    if (mine == requests) {
      pending = null;
    }
    if (holdingFor == mine || closed) {
      holdingFor = 0;
      notifyAll();
    }
  }

  /** What happened to the requests since the last call, oldest first. */
  public synchronized List<Status> drainStatuses() {
    List<Status> out = new ArrayList<>(statuses);
    statuses.clear();
    return out;
  }

  private void closeQuietly(M model) {
    if (model == null) {
      return;
    }
    try {
      model.close();
    } catch (Exception e) {
      // a model that fails to close is gone anyway; nothing scores with it
    }
  }

  /** Closes the active model once its leases are closed; requests still loading are dropped when they finish. */
  @Override
  public void close() {
    M toClose = null;
    StatusListener toldLast;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      holdingFor = 0;
      notifyAll();
      active.retired = true;
      if (active.users == 0) {
        toClose = active.model;
      }
      toldLast = listener;
      listener = null;
    }
    closeQuietly(toClose);
    if (toldLast != null) {
      toldLast.close();
    }
  }
}
