package dev.ser.stream.assembly;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.core.audio.WavFile;
import dev.ser.core.scoring.EmotionScorer;
import dev.ser.schemas.SampleEncoding;
import dev.ser.stream.TestAudio;
import dev.ser.stream.chunk.ChunkRecord;
import dev.ser.traffic.SampleCalls;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The label the stream's utterance gets equals {@code ser score} on the clip's WAV file, for every
 * sample clip: the stream path (PCM16 chunks, segmentation, pre-roll and hangover around the speech)
 * does not change the model's decision.
 */
class TrainingServingParityTest {

  @Test
  void everySampleClipGetsTheLabelSerScoreGives() throws Exception {
    List<SampleCalls.Clip> clips = SampleCalls.clips(TestAudio.samplesDir());
    assertThat(clips).hasSize(21);
    List<String> mismatches = new ArrayList<>();
    try (EmotionScorer scorer = EmotionScorer.open(TestAudio.model())) {
      int rate = scorer.metadata().features().sampleRate();
      for (SampleCalls.Clip clip : clips) {
        SampleCalls.Call call = SampleCalls.build(List.of(clip), 1, rate, 1000, "c").get(0);
        ChannelAssembler assembler = new ChannelAssembler(ChannelAssemblerTest.CONFIG);
        ChannelState s = new ChannelState("c1", "customer");
        ChannelAssemblerTest.Collected out = new ChannelAssemblerTest.Collected();
        for (ChunkRecord c : TestAudio.chunks("c1", "customer", call.channels().get("customer"), rate, 100,
            SampleEncoding.PCM_S16LE)) {
          assembler.onChunk(s, c, 0, Long.MIN_VALUE, out);
        }
        assertThat(out.utterances).as(clip.file().getFileName().toString()).hasSize(1);
        String stream = scorer.predict(out.utterances.get(0).samples).label();
        String file = scorer.predict(WavFile.readMono(clip.file(), rate)).label();
        if (!stream.equals(file)) {
          mismatches.add(clip.file().getFileName() + ": stream " + stream + ", ser score " + file);
        }
      }
    }
    assertThat(mismatches).isEmpty();
  }
}
