package dev.ser.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.training.model.ModelConfig;
import org.junit.jupiter.api.Test;

class BenchMathTest {

  /** The shipped model's multiply-adds, derived by hand layer by layer (BENCHMARKS.md, section 2). */
  @Test
  void multiplyAddsOfTheShippedModel() {
    ModelConfig c = ModelConfig.reference(188, 39, 7);
    long fusion = 188L * 39 * 39 * 29 + 188L * 117 * 39 + 2 * 39 * 39; // 8 292 492 + 857 844 + 3 042
    long entry = 188L * 156 * 39;                                        // 1 143 792
    long temporal = 8L * 2 * 188 * 39 * 39 * 2;                          // 9 150 336
    assertThat(InferenceBench.multiplyAdds(c)).isEqualTo(2 * (fusion + entry + temporal) + 8 * 7)
        .isEqualTo(38_895_068L);
  }

  @Test
  void percentilesAreNearestRank() {
    Stats s = new Stats();
    for (int i = 1; i <= 100; i++) {
      s.add(i);
    }
    assertThat(s.percentile(0.5)).isEqualTo(50);
    assertThat(s.percentile(0.99)).isEqualTo(99);
    assertThat(s.percentile(1.0)).isEqualTo(100);
    assertThat(s.tail(0.1).percentile(0.0)).isEqualTo(91);
    assertThat(new Stats().percentile(0.5)).isNaN();
  }
}
