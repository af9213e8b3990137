package dev.ser.training.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.core.features.FeatureConfig;
import dev.ser.training.data.FeatureSet;
import dev.ser.training.data.LabeledClip;
import dev.ser.training.eval.Folds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TuningSplitsTest {

  @Test
  void tuningNeverScoresOrTrainsOnTheTestFold() {
    List<LabeledClip> clips = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      clips.add(new LabeledClip(Path.of("c" + i + ".wav"), i % 3 == 0 ? "a" : "b", "s" + i % 5));
    }
    FeatureSet set = new FeatureSet(FeatureConfig.preset("timnet-emodb"), List.of("a", "b"), clips, new float[30][],
        new int[30], 0);
    List<List<Integer>> folds = Folds.stratifiedKFold(clips.stream().map(LabeledClip::label).toList(), 3, 42);
    List<CrossValidation.Split> tune = CrossValidation.splits(set, CrossValidation.Protocol.TUNE, 3, 42);
    assertThat(tune).hasSize(3);
    for (int f = 0; f < 3; f++) {
      CrossValidation.Split s = tune.get(f);
      assertThat(s.heldOut()).isEqualTo(folds.get((f + 1) % 3)); // the validation fold
      Set<Integer> train = new HashSet<>(s.train());
      assertThat(train).doesNotContainAnyElementsOf(folds.get(f)).doesNotContainAnyElementsOf(s.heldOut());
      assertThat(train).hasSize(30 - folds.get(f).size() - s.heldOut().size());
    }
    // k-fold: train is everything but the test fold
    List<CrossValidation.Split> kfold = CrossValidation.splits(set, CrossValidation.Protocol.KFOLD, 3, 42);
    assertThat(kfold.get(1).heldOut()).isEqualTo(folds.get(1));
    assertThat(kfold.get(1).train()).hasSize(30 - folds.get(1).size());
  }

  @Test
  void speakerTuningScoresOnTheNextSpeakerAndNeverTouchesTheTestSpeaker() {
    List<LabeledClip> clips = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      clips.add(new LabeledClip(Path.of("c" + i + ".wav"), i % 3 == 0 ? "a" : "b", "s" + i % 5));
    }
    FeatureSet set = new FeatureSet(FeatureConfig.preset("timnet-emodb"), List.of("a", "b"), clips, new float[30][],
        new int[30], 0);
    List<List<Integer>> speakers = Folds.leaveOneSpeakerOut(clips.stream().map(LabeledClip::speaker).toList());
    List<CrossValidation.Split> tune = CrossValidation.splits(set, CrossValidation.Protocol.TUNE_LOSO, 10, 42);
    assertThat(tune).hasSize(5);
    for (int f = 0; f < 5; f++) {
      CrossValidation.Split s = tune.get(f);
      assertThat(s.heldOut()).isEqualTo(speakers.get((f + 1) % 5));
      assertThat(s.heldOut()).extracting(i -> clips.get(i).speaker()).containsOnly(clips.get(s.heldOut().get(0)).speaker());
      Set<String> trainSpeakers = new HashSet<>();
      s.train().forEach(i -> trainSpeakers.add(clips.get(i).speaker()));
      assertThat(trainSpeakers).hasSize(3).doesNotContain(clips.get(speakers.get(f).get(0)).speaker(),
          clips.get(s.heldOut().get(0)).speaker());
    }
    assertThat(CrossValidation.Protocol.TUNE_LOSO.tuning()).isTrue();
    assertThat(CrossValidation.Protocol.TUNE_LOSO.bySpeaker()).isTrue();
    assertThat(CrossValidation.Protocol.LOSO.tuning()).isFalse();
  }
}
