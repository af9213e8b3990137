package dev.ser.stream;

import dev.ser.core.audio.PcmEncoder;
import dev.ser.schemas.SampleEncoding;
import dev.ser.stream.chunk.ChunkRecord;
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
   * Utterance id (callId/channel/index) of every clip placed in the calls, with the label
   * {@code ser score} gives the clip's WAV file: what the job must emit for them.
   */
  public static java.util.Map<String, String> expectedLabels(List<SampleCalls.Call> calls) throws Exception {
    java.util.Map<String, String> expected = new java.util.TreeMap<>();
    try (dev.ser.core.scoring.EmotionScorer scorer = dev.ser.core.scoring.EmotionScorer.open(model())) {
      int rate = scorer.metadata().features().sampleRate();
      for (SampleCalls.Call call : calls) {
        java.util.Map<String, Integer> next = new java.util.HashMap<>();
        for (SampleCalls.Placement p : call.placements()) {
          int index = next.merge(p.channel(), 1, Integer::sum) - 1;
          expected.put(call.callId() + "/" + p.channel() + "/" + index,
              scorer.predict(dev.ser.core.audio.WavFile.readMono(p.clip().file(), rate)).label());
        }
      }
    }
    return expected;
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
