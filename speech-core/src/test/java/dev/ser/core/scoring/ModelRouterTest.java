package dev.ser.core.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.core.scoring.ModelRouter.Between;
import dev.ser.core.scoring.ModelRouter.Candidate;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelRouterTest {

  static final Candidate WIDE = new Candidate("ms-senet-emodb", 22050);
  static final Candidate NARROW = new Candidate("ms-senet-emodb-8k", 8000);

  @Test
  void oneModelTakesEveryStreamAsBeforeRouting() {
    ModelRouter one = new ModelRouter(List.of(WIDE), Between.HIGHER);
    for (int rate : new int[] {8000, 16000, 22050, 48000}) {
      assertThat(one.route(rate)).isEqualTo(new ModelRouter.Route(0, null));
    }
  }

  @Test
  void narrowAndWideStreamsGoToTheirBandAndTheRatesBetweenAsTheSettingSays() {
    List<Candidate> models = List.of(WIDE, NARROW); // any order
    ModelRouter higher = new ModelRouter(models, Between.HIGHER);
    ModelRouter lower = new ModelRouter(models, Between.LOWER);
    assertThat(higher.route(8000).model()).isEqualTo(1);
    assertThat(higher.route(22050).model()).isEqualTo(0);
    assertThat(higher.route(48000).model()).isEqualTo(0);
    assertThat(higher.route(16000).model()).isEqualTo(0);
    assertThat(lower.route(16000).model()).isEqualTo(1);
    assertThat(lower.route(8000).model()).isEqualTo(1);
    assertThat(lower.route(44100).model()).isEqualTo(0);
    ModelRouter.Route below = higher.route(6000);
    assertThat(below.routed()).isFalse();
    assertThat(below.refusal()).isEqualTo("no model for a 6000 Hz stream: the lowest model rate is 8000 Hz"
        + " (ms-senet-emodb-8k)");
  }

  @Test
  void threeModelsChooseBetweenNeighboursAndTwoAtOneRateAreRefused() {
    Candidate mid = new Candidate("m-16k", 16000);
    ModelRouter three = new ModelRouter(List.of(NARROW, mid, WIDE), Between.LOWER);
    assertThat(three.route(11025).model()).isEqualTo(0);
    assertThat(three.route(16000).model()).isEqualTo(1);
    assertThat(three.route(20000).model()).isEqualTo(1);
    assertThat(new ModelRouter(List.of(NARROW, mid, WIDE), Between.HIGHER).route(20000).model()).isEqualTo(2);
    assertThatThrownBy(() -> new ModelRouter(List.of(WIDE, new Candidate("other", 22050)), Between.HIGHER))
        .hasMessage("two models at 22050 Hz (ms-senet-emodb, other): a stream's rate could not choose between them");
    assertThatThrownBy(() -> Between.parse("middle")).hasMessage("must be lower or higher, got middle");
  }
}
