package dev.ser.stream.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UtteranceIdTest {

  static String id(String callId, String channel, int index) {
    UtteranceRecord u = new UtteranceRecord();
    u.callId = callId;
    u.channel = channel;
    u.index = index;
    return u.utteranceId();
  }

  @Test
  void idsAreUnambiguousWhenCallIdsOrChannelsHoldTheSeparator() {
    // before: both "x/y/customer/0", one Kafka key for two utterances of two calls
    assertThat(id("x/y", "customer", 0)).isEqualTo("x%2Fy/customer/0");
    assertThat(id("x", "y/customer", 0)).isEqualTo("x/y%2Fcustomer/0");
    assertThat(id("50%/a", "c", 1)).isEqualTo("50%25%2Fa/c/1");
    assertThat(id("50%2Fa", "c", 1)).isEqualTo("50%252Fa/c/1");
    // ids without '/' or '%' are unchanged, so existing consumers see the same keys
    assertThat(id("call-7", "customer", 12)).isEqualTo("call-7/customer/12");
  }
}
