package dev.ser.stream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.schemas.ModelBand;
import dev.ser.schemas.ModelUpdate;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

/** Swaps in the order things happen: loads run when the test says so, models record when they close. */
class ModelSwitchboardTest {

  static final class Model implements AutoCloseable {
    final String version;
    boolean closed;

    Model(String version) {
      this.version = version;
    }

    @Override
    public void close() {
      if (closed) {
        throw new AssertionError(version + " closed twice");
      }
      closed = true;
    }
  }

  /** Runs the queued loads only when asked. */
  static final class Loads implements Executor {
    final Queue<Runnable> queued = new ArrayDeque<>();

    @Override
    public void execute(Runnable r) {
      queued.add(r);
    }

    void runNext() {
      queued.remove().run();
    }
  }

  static ModelUpdate update(String version) {
    return ModelUpdate.newBuilder().setModelName("m").setModelVersion(version).setLocation("/models/" + version)
        .setSha256(String.format("%064x", version.hashCode() & 0xffffffffL)).setBand(ModelBand.ALL)
        .setIssuedAt(Instant.EPOCH).setIssuedBy("test").build();
  }

  final List<Model> loaded = new ArrayList<>();
  final Loads loads = new Loads();
  final Model v1 = new Model("1");
  final ModelSwitchboard<Model> board = new ModelSwitchboard<>(v1, u -> {
    if (u.getModelVersion().startsWith("bad")) {
      return ModelSwitchboard.Loaded.refused(ModelCandidateCheck.Check.SELF_TEST, "the self-test failed: " + u.getModelVersion());
    }
    Model m = new Model(u.getModelVersion());
    loaded.add(m);
    return ModelSwitchboard.Loaded.accepted(m);
  }, loads);

  @Test
  void theOldModelScoresUntilTheNewOnePassedAndClosesWhenItsLastUtteranceCompleted() throws Exception {
    ModelSwitchboard<Model>.Lease inFlight = board.acquire();
    board.request(update("2"));
    ModelSwitchboard<Model>.Lease whileLoading = board.acquire();
    assertThat(whileLoading.model()).isSameAs(v1); // still loading: v1 scores
    loads.runNext();
    ModelSwitchboard<Model>.Lease after = board.acquire();
    assertThat(after.model().version).isEqualTo("2");
    assertThat(after.update().getModelVersion()).isEqualTo("2");
    assertThat(board.activeUpdate().getModelVersion()).isEqualTo("2");
    assertThat(v1.closed).as("an utterance is still in flight with v1").isFalse();
    inFlight.close();
    assertThat(v1.closed).as("one more utterance in flight with v1").isFalse();
    whileLoading.close();
    assertThat(v1.closed).as("closed with the last of its utterances").isTrue();
    assertThat(after.model().closed).isFalse();
    assertThat(board.drainStatuses()).extracting(ModelSwitchboard.Status::accepted).containsExactly(true);
    assertThat(board.drainStatuses()).isEmpty();
  }

  @Test
  void aReplacedModelWithoutUsersClosesAtOnceAndALeaseClosesOnlyOnce() throws Exception {
    ModelSwitchboard<Model>.Lease lease = board.acquire();
    lease.close();
    lease.close(); // no double release
    board.request(update("2"));
    loads.runNext();
    assertThat(v1.closed).isTrue();
    assertThat(loaded.get(0).closed).isFalse();
  }

  @Test
  void aRefusedModelChangesNothingAndSaysWhy() throws Exception {
    board.request(update("bad-1"));
    loads.runNext();
    assertThat(board.acquire().model()).isSameAs(v1);
    assertThat(board.activeUpdate()).isNull();
    ModelSwitchboard.Status s = board.drainStatuses().get(0);
    assertThat(s.accepted()).isFalse();
    assertThat(s.refusedBy()).isEqualTo(ModelCandidateCheck.Check.SELF_TEST);
    assertThat(s.reason()).isEqualTo("the self-test failed: bad-1");
  }

  @Test
  void aNewerRequestWinsOverOneStillLoadingAndRepeatsAreIgnored() throws Exception {
    board.request(update("2"));
    board.request(update("2")); // already being loaded
    board.request(update("3"));
    assertThat(loads.queued).hasSize(2);
    loads.runNext(); // v2 finishes after v3 was asked for: dropped and closed
    assertThat(board.acquire().model()).isSameAs(v1);
    assertThat(loaded.get(0).closed).isTrue();
    loads.runNext();
    assertThat(board.acquire().model().version).isEqualTo("3");
    board.request(update("3")); // the active one
    assertThat(loads.queued).isEmpty();
    assertThat(board.drainStatuses()).extracting(ModelSwitchboard.Status::reason)
        .containsExactly("a newer update was requested before it was ready", null);
  }

  @Test
  void closingTheBoardClosesTheActiveModelAfterItsLastUseAndDropsLoadsInFlight() throws Exception {
    ModelSwitchboard<Model>.Lease lease = board.acquire();
    board.request(update("2"));
    board.close();
    assertThat(v1.closed).isFalse();
    lease.close();
    assertThat(v1.closed).isTrue();
    loads.runNext();
    assertThat(loaded.get(0).closed).as("loaded after the end: closed, never active").isTrue();
    assertThatThrownBy(board::acquire).isInstanceOf(IllegalStateException.class)
        .hasMessage("the model switchboard is closed");
  }

  /** Waits until {@code t} is parked in the board (acquire waiting for a held request). */
  static void awaitWaiting(Thread t) throws InterruptedException {
    while (t.getState() != Thread.State.TIMED_WAITING) {
      assertThat(t.isAlive()).as("the scorer thread ended instead of waiting").isTrue();
      Thread.sleep(1);
    }
  }

  /** acquire() on another thread, as a scoring task would after a restore. */
  static final class Scorer extends Thread {
    final ModelSwitchboard<Model> board;
    volatile String version;

    Scorer(ModelSwitchboard<Model> board) {
      this.board = board;
      start();
    }

    @Override
    public void run() {
      try (var lease = board.acquire()) {
        version = lease.model().version;
      } catch (Exception e) {
        version = e.getMessage();
      }
    }
  }

  @Test
  void aHoldingRequestMakesScoringWaitForItsOutcomeSoARestoredModelScoresTheFirstUtterance() throws Exception {
    board.request(update("2"), true);
    Scorer first = new Scorer(board);
    awaitWaiting(first);
    assertThat(first.version).isNull();
    loads.runNext();
    first.join();
    assertThat(first.version).isEqualTo("2");
    assertThat(board.acquire().model().version).as("no hold once settled").isEqualTo("2");
  }

  @Test
  void aRefusedHeldModelReleasesScoringToTheModelBeforeIt() throws Exception {
    board.request(update("bad-2"), true);
    Scorer first = new Scorer(board);
    awaitWaiting(first);
    loads.runNext();
    first.join();
    assertThat(first.version).isEqualTo("1");
    assertThat(board.drainStatuses()).extracting(ModelSwitchboard.Status::accepted).containsExactly(false);
  }

  @Test
  void aNewerRequestDuringAHoldIsWaitedForInsteadAndAnOrdinaryRequestNeverHolds() throws Exception {
    board.request(update("2"));
    assertThat(board.acquire().model().version).as("ordinary: the old model scores meanwhile").isEqualTo("1");
    board.request(update("2"), true); // the same model, now held: wait for the load already running
    board.request(update("3"));
    Scorer first = new Scorer(board);
    awaitWaiting(first);
    loads.runNext(); // v2: superseded, the hold goes on for v3
    awaitWaiting(first);
    assertThat(first.version).isNull();
    loads.runNext();
    first.join();
    assertThat(first.version).isEqualTo("3");
  }

  @Test
  void aHoldEndsAtItsLimitAndWhenTheBoardCloses() throws Exception {
    ModelSwitchboard<Model> impatient = new ModelSwitchboard<>(v1, u -> ModelSwitchboard.Loaded.accepted(new Model("2")),
        loads, java.time.Duration.ZERO);
    impatient.request(update("2"), true);
    assertThat(impatient.acquire().model().version).as("a hung load does not stop scoring").isEqualTo("1");

    board.request(update("2"), true);
    Scorer waiting = new Scorer(board);
    awaitWaiting(waiting);
    board.close();
    waiting.join();
    assertThat(waiting.version).isEqualTo("the model switchboard is closed");
  }

  @Test
  void candidatesAreTriedInOrderSoARefusedLatestFallsBackToTheOneBeforeIt() throws Exception {
    board.request(List.of(update("bad-3"), update("2"), update("1b")), true);
    loads.runNext();
    assertThat(board.acquire().model().version).isEqualTo("2");
    assertThat(loaded).extracting(m -> m.version).as("the search ends at the first that passes").containsExactly("2");
    assertThat(board.drainStatuses()).extracting(ModelSwitchboard.Status::accepted).containsExactly(false, true);

    board.request(List.of(update("bad-4"), update("2")), true); // the one to fall back to is the active one
    loads.runNext();
    assertThat(board.acquire().model().version).isEqualTo("2");
    assertThat(loaded).hasSize(1);
    assertThat(board.drainStatuses()).extracting(ModelSwitchboard.Status::refusedBy)
        .containsExactly(ModelCandidateCheck.Check.SELF_TEST);

    board.request(List.of(update("bad-5"), update("bad-6")), true); // none passes: the active model stays
    loads.runNext();
    assertThat(board.acquire().model().version).isEqualTo("2");
  }

  @Test
  void theSameRefusedRecordAskedForAgainIsNotLoadedAgainButARepublishedOneOrARestoreIs() throws Exception {
    board.request(update("bad-1"));
    loads.runNext();
    board.request(update("bad-1")); // another subtask of the TaskManager read the same record
    assertThat(loads.queued).isEmpty();
    board.request(ModelUpdate.newBuilder(update("bad-1")).setIssuedAt(Instant.ofEpochSecond(60)).build());
    assertThat(loads.queued).as("published again, perhaps after the file was fixed").hasSize(1);
    loads.runNext();
    board.request(List.of(update("bad-1")), true);
    assertThat(loads.queued).as("a restore asks again").hasSize(1);
    loads.runNext();
    assertThat(board.drainStatuses()).extracting(ModelSwitchboard.Status::accepted).containsExactly(false, false, false);
  }
}
