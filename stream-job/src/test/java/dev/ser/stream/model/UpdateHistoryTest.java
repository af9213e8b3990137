package dev.ser.stream.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.schemas.ModelUpdate;
import dev.ser.schemas.WireFormat;
import org.junit.jupiter.api.Test;

class UpdateHistoryTest {

  static byte[] version(String v) {
    return WireFormat.encode(ModelUpdate.newBuilder(ModelUpdateOrDeadLetterTest.UPDATE).setModelVersion(v).build());
  }

  @Test
  void newestFirstKeepingTheLastFiveAndARepeatOfTheNewestChangesNothing() {
    byte[] h = null;
    for (int v = 1; v <= 7; v++) {
      h = UpdateHistory.append(h, version(String.valueOf(v)));
    }
    assertThat(UpdateHistory.newestFirst(h)).extracting(ModelUpdate::getModelVersion)
        .containsExactly("7", "6", "5", "4", "3");
    assertThat(UpdateHistory.append(h, version("7"))).as("read again").isNull();
    byte[] back = UpdateHistory.append(h, version("5")); // a rollback: published again, so newest
    assertThat(UpdateHistory.newestFirst(back)).extracting(ModelUpdate::getModelVersion)
        .containsExactly("5", "7", "6", "5", "4");
    assertThat(UpdateHistory.newestFirst(null)).isEmpty();
  }
}
