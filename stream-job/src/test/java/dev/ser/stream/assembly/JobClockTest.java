package dev.ser.stream.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JobClockTest {

  @Test
  void jobTimeIsWallTimeUntilARestoreTakesTheDowntimeOut() {
    JobClock clock = new JobClock();
    assertThat(clock.now(1_000)).isEqualTo(1_000);
    // checkpointed at job time 5 000; back at wall time 65 000 after a minute away
    clock.resumeFrom(5_000, 65_000);
    assertThat(clock.now(65_000)).isEqualTo(5_000);
    assertThat(clock.now(66_500)).isEqualTo(6_500);
    assertThat(clock.toWall(7_000)).isEqualTo(67_000);
    assertThat(clock.offsetMs()).isEqualTo(60_000);
    // a second outage adds up: checkpoint at job time 9 000 (wall 69 000), back at wall 100 000
    clock.resumeFrom(9_000, 100_000);
    assertThat(clock.now(100_000)).isEqualTo(9_000);
    assertThat(clock.offsetMs()).isEqualTo(91_000);
  }
}
