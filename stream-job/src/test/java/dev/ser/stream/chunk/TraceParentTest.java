package dev.ser.stream.chunk;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TraceParentTest {

  static String parse(String s) {
    return TraceParent.parse(s == null ? null : s.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void wellFormedValuesAreKeptOthersIgnored() {
    String valid = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"; // the specification's example
    assertThat(parse(valid)).isEqualTo(valid);
    assertThat(parse(null)).isNull();
    assertThat(parse("")).isNull();
    assertThat(parse(valid.toUpperCase())).as("uppercase hex").isNull();
    assertThat(parse("ff" + valid.substring(2))).as("version ff is invalid").isNull();
    assertThat(parse("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).as("zero trace id").isNull();
    assertThat(parse("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01")).as("zero parent id").isNull();
    assertThat(parse(valid + "-x")).isNull();
    assertThat(parse(valid.replace('-', '_'))).isNull();
  }
}
