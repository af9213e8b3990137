package dev.ser.stream.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ScoredChannelsTest {

  @Test
  void theDefaultScoresTheCustomerOnly() {
    ScoredChannels d = ScoredChannels.parse(ScoredChannels.DEFAULT);
    assertThat(d.scores("customer")).isTrue();
    assertThat(d.scores("agent")).isFalse();
    assertThat(d.scores("Customer")).isFalse(); // names are exact, as the producer writes them
    assertThat(d.all()).isFalse();
    assertThat(d).hasToString("customer");
  }

  @Test
  void namedChannelsAndTheWildcard() {
    ScoredChannels two = ScoredChannels.parse(" caller , agent");
    assertThat(two.scores("caller")).isTrue();
    assertThat(two.scores("agent")).isTrue();
    assertThat(two.scores("customer")).isFalse();
    assertThat(two).hasToString("agent,caller");
    ScoredChannels all = ScoredChannels.parse("*");
    assertThat(all.scores("agent")).isTrue();
    assertThat(all.scores("anything")).isTrue();
    assertThat(all.all()).isTrue();
    assertThat(all).hasToString("*");
  }

  @Test
  void aSettingThatNamesNoChannelIsRefused() {
    assertThatThrownBy(() -> ScoredChannels.parse(" ")).hasMessage(
        "score-channels must name at least one channel (or * for all), got ' '");
    assertThatThrownBy(() -> ScoredChannels.parse("customer,,agent")).hasMessage(
        "score-channels: 'customer,,agent' has an empty name");
    assertThatThrownBy(() -> ScoredChannels.parse("customer,*")).hasMessage(
        "score-channels: 'customer,*' has * among names (use * alone for every channel)");
    assertThatThrownBy(() -> ScoredChannels.parse("agent,agent")).hasMessage(
        "score-channels: 'agent,agent' names agent twice");
  }
}
