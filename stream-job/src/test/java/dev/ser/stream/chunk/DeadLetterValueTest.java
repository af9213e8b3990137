package dev.ser.stream.chunk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ser.schemas.DeadLetterKind;
import org.junit.jupiter.api.Test;

/** How much of a refused record's value (call audio: personal data) a dead letter keeps. */
class DeadLetterValueTest {

  static DeadLetterRecord refused(int bytes) {
    byte[] value = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      value[i] = (byte) i;
    }
    return DeadLetterRecord.of(new byte[] {'k'}, value, "in", 1, 2, DeadLetterKind.ODD_BYTE_COUNT, "odd", 3);
  }

  @Test
  void noneDropsTheValueAndSaysSo() {
    DeadLetterRecord d = DeadLetterValue.NONE.apply(refused(1000));
    assertThat(d.value).isNull();
    assertThat(d.message).isEqualTo("odd (the value, 1000 bytes, is not kept: dead-letter-value=none)");
    assertThat(d.key).containsExactly('k');
    assertThat(d.sourceOffset).isEqualTo(2);
  }

  @Test
  void headKeepsTheFirst64BytesEnoughForTheHeaderAndIds() {
    DeadLetterRecord d = DeadLetterValue.HEAD.apply(refused(1000));
    assertThat(d.value).hasSize(64).startsWith(0, 1, 2).endsWith(63);
    assertThat(d.message).as("the reason only: the default must not lengthen every message").isEqualTo("odd");
    DeadLetterRecord small = DeadLetterValue.HEAD.apply(refused(40));
    assertThat(small.value).hasSize(40);
    assertThat(small.message).isEqualTo("odd");
  }

  @Test
  void fullKeepsItAndNoValueStaysNoValue() {
    assertThat(DeadLetterValue.FULL.apply(refused(1000)).value).hasSize(1000);
    DeadLetterRecord tombstone = DeadLetterRecord.of(null, null, "in", 0, 0, DeadLetterKind.BAD_AVRO, "empty", 0);
    assertThat(DeadLetterValue.NONE.apply(tombstone).message).isEqualTo("empty");
  }

  @Test
  void parsedFromTheSetting() {
    assertThat(DeadLetterValue.parse("head")).isEqualTo(DeadLetterValue.HEAD);
    assertThatThrownBy(() -> DeadLetterValue.parse("some")).hasMessage(
        "dead-letter-value must be none, head or full, got \"some\"");
  }
}
