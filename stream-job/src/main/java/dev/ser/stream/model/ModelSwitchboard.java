package dev.ser.stream.model;

import dev.ser.schemas.ModelUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The model a JVM scores with, and the swap to another one without stopping: the running model
 * stays active while a requested one is loaded and checked on another thread; only a model that
 * passed every check replaces it, atomically, between two {@link #acquire()}s. Whoever scores holds
 * a {@link Lease} for as long as an utterance is in flight with a model, so a replaced model is
 * closed when its last utterance completed, never under one. A newer request supersedes an older
 * one still being checked; a request for the model already active or already being checked changes
 * nothing. What happened to each request is kept for {@link #drainStatuses()}.
 *
 * @param <M> what is swapped: in the job, a model's scorer, batcher and feature extractor together
 */
public final class ModelSwitchboard<M extends AutoCloseable> implements AutoCloseable {

  /** The outcome of a request: accepted (now active) or refused, with the check and the reason. */
  public record Status(ModelUpdate update, boolean accepted, ModelCandidateCheck.Check refusedBy, String reason) {}

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
  private Slot active;
  private ModelUpdate pending;
  private long requests;
  private boolean closed;

  /**
   * @param initial the model the job started with
   * @param loader  loads and checks the model an update names (runs on {@code loading})
   * @param loading where loads run: one background thread in the job, the caller's in tests
   */
  public ModelSwitchboard(M initial, Function<ModelUpdate, Loaded<M>> loader, Executor loading) {
    this.active = new Slot(initial, null);
    this.loader = loader;
    this.loading = loading;
  }

  /** The active model, held until the lease is closed. */
  public synchronized Lease acquire() {
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
    long mine;
    synchronized (this) {
      if (closed || sameModel(u, active.update) || sameModel(u, pending)) {
        return;
      }
      pending = u;
      mine = ++requests;
    }
    loading.execute(() -> load(u, mine));
  }

  private static boolean sameModel(ModelUpdate a, ModelUpdate b) {
    return a != null && b != null && a.getSha256().equalsIgnoreCase(b.getSha256()) && a.getBand() == b.getBand()
        && a.getModelVersion().equals(b.getModelVersion());
  }

  private void load(ModelUpdate u, long mine) {
    Loaded<M> loaded;
    try {
      loaded = loader.apply(u);
    } catch (RuntimeException e) {
      loaded = Loaded.refused(ModelCandidateCheck.Check.NOT_A_MODEL, "loading failed: " + e);
    }
    M toClose = null;
    synchronized (this) {
      boolean superseded = mine != requests || closed;
      if (mine == requests) {
        pending = null;
      }
      if (loaded.model() == null) {
        statuses.add(new Status(u, false, loaded.refusedBy(), loaded.reason()));
      } else if (superseded) {
        toClose = loaded.model(); // a newer request, or the end: this one is not needed
        statuses.add(new Status(u, false, null, closed ? "the job stopped before it was ready"
            : "a newer update was requested before it was ready"));
      } else {
        Slot old = active;
        active = new Slot(loaded.model(), u);
        old.retired = true;
        if (old.users == 0) {
          toClose = old.model;
        }
        statuses.add(new Status(u, true, null, null));
      }
    }
    closeQuietly(toClose);
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
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      active.retired = true;
      if (active.users == 0) {
        toClose = active.model;
      }
    }
    closeQuietly(toClose);
  }
}
