package dev.ser.stream;

import dev.ser.core.audio.PcmEncoder;
import dev.ser.core.scoring.EmotionScorer;
import dev.ser.schemas.SampleEncoding;
import dev.ser.stream.assembly.ChannelAssemblerTest;
import dev.ser.stream.assembly.UtteranceRecord;
import dev.ser.stream.chunk.ChunkRecord;
import dev.ser.stream.scoring.ScoredChannels;
import dev.ser.traffic.SampleCalls;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Sample calls and their chunks, for the stream job's tests. */
public final class TestAudio {

  public static final long START = 1_700_000_000_000L;

  private TestAudio() {}

  public static Path samplesDir() {
    return Path.of(System.getProperty("ser.samples.dir"), "emodb");
  }

  public static Path model() {
    return Path.of(System.getProperty("ser.samples.dir")).resolveSibling("models/ms-senet-emodb.onnx");
  }

  /** {@code n} sample clips (sorted by name, every emotion among the first 7 spread by stride 3). */
  public static List<SampleCalls.Clip> clips(int n) throws Exception {
    List<SampleCalls.Clip> all = SampleCalls.clips(samplesDir());
    List<SampleCalls.Clip> out = new ArrayList<>();
    for (int i = 0; i < all.size() && out.size() < n; i += 3) {
      out.add(all.get(i));
    }
    for (int i = 1; i < all.size() && out.size() < n; i++) {
      if (!out.contains(all.get(i))) {
        out.add(all.get(i));
      }
    }
    return out;
  }

  /**
   * Utterance id (callId/channel/index) of every clip placed in the calls on a scored channel, with
   * the label the stream path gives it computed without Flink or Kafka: the channel's audio as
   * chunks through {@link ChannelAssembler} with the job's default segmentation, each utterance scored
   * by the model. What the job must emit for them, exactly once, whatever fails in between. (That
   * this path agrees with {@code ser score} on the WAV files is TrainingServingParityTest's subject.)
   */
  public static java.util.Map<String, String> expectedLabels(List<SampleCalls.Call> calls, ScoredChannels scored)
      throws Exception {
    java.util.Map<String, String> expected = new java.util.TreeMap<>();
    try (EmotionScorer scorer = EmotionScorer.open(model())) {
      for (SampleCalls.Call call : calls) {
        if (call.sampleRate() != scorer.metadata().features().sampleRate()) {
          throw new IllegalArgumentException("calls for the expected labels are built at the model's rate, "
              + scorer.metadata().features().sampleRate() + " Hz, not " + call.sampleRate());
        }
        for (var channel : call.channels().entrySet()) {
          if (!scored.scores(channel.getKey())) {
            continue;
          }
          long placed = call.placements().stream().filter(p -> p.channel().equals(channel.getKey())).count();
          ChannelAssemblerTest.Collected out = ChannelAssemblerTest.feed(call.callId(), channel.getKey(),
              chunks(call.callId(), channel.getKey(), channel.getValue(), call.sampleRate(), 100,
                  SampleEncoding.PCM_S16LE));
          if (out.utterances.size() != placed) {
            throw new IllegalStateException(call.callId() + "/" + channel.getKey() + ": " + placed
                + " clips placed but the assembler found " + out.utterances.size() + " utterances");
          }
          for (UtteranceRecord u : out.utterances) {
            expected.put(u.utteranceId(), scorer.predict(u.samples).label());
          }
        }
      }
    }
    return expected;
  }

  /** {@link #expectedLabels(List, ScoredChannels)} with every channel scored. */
  public static java.util.Map<String, String> expectedLabels(List<SampleCalls.Call> calls) throws Exception {
    return expectedLabels(calls, ScoredChannels.parse("*"));
  }

  /** One channel's audio as chunks of {@code chunkMs}, the last one end-of-stream. */
  public static List<ChunkRecord> chunks(String callId, String channel, float[] audio, int rate, int chunkMs,
      SampleEncoding encoding) {
    int per = rate * chunkMs / 1000;
    List<ChunkRecord> out = new ArrayList<>();
    for (int seq = 0, from = 0; from < audio.length; seq++, from += per) {
      int to = Math.min(from + per, audio.length);
      ChunkRecord c = new ChunkRecord();
      c.callId = callId;
      c.channel = channel;
      c.sequence = seq;
      c.captureTimestamp = START + (long) seq * chunkMs;
      c.sampleRate = rate;
      c.encoding = encoding;
      c.payload = PcmEncoder.encode(encoding, audio, from, to - from);
      c.endOfStream = to == audio.length;
      c.sourceTopic = "audio-chunks";
      c.sourceOffset = seq;
      out.add(c);
    }
    return out;
  }
}
