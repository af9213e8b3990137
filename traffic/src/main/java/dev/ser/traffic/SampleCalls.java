package dev.ser.traffic;

import dev.ser.core.audio.WavFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Builds two-channel calls from single utterances: the clips take turns between the customer and
 * the agent channel, separated by silence, so each channel holds speech with pauses in which the
 * other side talks. Where every clip lands is recorded, so events can be checked against the clip's
 * known label.
 */
public final class SampleCalls {

  private SampleCalls() {}

  /** A WAV file and its emotion, when known. */
  public record Clip(Path file, String label) {}

  /** Where a clip was placed: channel and span in ms from the call's start. */
  public record Placement(String callId, String channel, Clip clip, long startMs, long endMs) {}

  /** One call: audio per channel (same length, {@code sampleRate}) and where the clips are. */
  public record Call(String callId, int sampleRate, Map<String, float[]> channels, List<Placement> placements) {
    public long durationMs() {
      return channels.values().iterator().next().length * 1000L / sampleRate;
    }
  }

  public static final List<String> CHANNELS = List.of("customer", "agent");

  /**
   * The WAV files of {@code dir} (sorted by name), with labels from {@code dir/labels.csv}
   * ({@code file,label}) when it exists.
   */
  public static List<Clip> clips(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("audio directory " + dir + " does not exist");
    }
    Map<String, String> labels = new HashMap<>();
    Path csv = dir.resolve("labels.csv");
    if (Files.isRegularFile(csv)) {
      for (String line : Files.readAllLines(csv, StandardCharsets.UTF_8)) {
        String[] cols = line.split(",");
        if (cols.length == 2 && !cols[0].equals("file")) {
          labels.put(cols[0].trim(), cols[1].trim());
        }
      }
    }
    List<Clip> clips = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().toLowerCase().endsWith(".wav")).sorted().toList()) {
        clips.add(new Clip(f, labels.get(f.getFileName().toString())));
      }
    }
    if (clips.isEmpty()) {
      throw new IllegalArgumentException("no .wav files in " + dir);
    }
    return clips;
  }

  /**
   * Deals the clips round-robin over {@code calls} calls, alternating channels within each call.
   *
   * @param silenceMs silence before the first clip and after every clip, on both channels
   */
  public static List<Call> build(List<Clip> clips, int calls, int sampleRate, long silenceMs, String callPrefix)
      throws IOException {
    if (calls < 1) {
      throw new IllegalArgumentException("calls must be at least 1, got " + calls);
    }
    List<List<Clip>> perCall = new ArrayList<>();
    for (int c = 0; c < calls; c++) {
      perCall.add(new ArrayList<>());
    }
    for (int i = 0; i < clips.size(); i++) {
      perCall.get(i % calls).add(clips.get(i));
    }
    Map<Path, float[]> audio = new HashMap<>();
    for (Clip clip : clips) {
      audio.put(clip.file(), WavFile.readMono(clip.file(), sampleRate));
    }
    int silence = (int) (silenceMs * sampleRate / 1000);
    List<Call> out = new ArrayList<>();
    for (int c = 0; c < calls; c++) {
      List<Clip> mine = perCall.get(c);
      if (mine.isEmpty()) {
        continue;
      }
      String callId = callPrefix + (c + 1);
      int total = silence;
      for (Clip clip : mine) {
        total += audio.get(clip.file()).length + silence;
      }
      Map<String, float[]> channels = new LinkedHashMap<>();
      for (String ch : CHANNELS) {
        channels.put(ch, new float[total]);
      }
      List<Placement> placements = new ArrayList<>();
      int pos = silence;
      for (int i = 0; i < mine.size(); i++) {
        String ch = CHANNELS.get(i % CHANNELS.size());
        float[] x = audio.get(mine.get(i).file());
        System.arraycopy(x, 0, channels.get(ch), pos, x.length);
        placements.add(new Placement(callId, ch, mine.get(i), pos * 1000L / sampleRate,
            (pos + (long) x.length) * 1000L / sampleRate));
        pos += x.length + silence;
      }
      out.add(new Call(callId, sampleRate, channels, placements));
    }
    return out;
  }

  /** The placement a reported span overlaps most, or null. */
  public static Placement match(List<Placement> placements, String callId, String channel, long startMs, long endMs) {
    Placement best = null;
    long bestOverlap = 0;
    for (Placement p : placements) {
      if (!p.callId().equals(callId) || !p.channel().equals(channel)) {
        continue;
      }
      long overlap = Math.min(endMs, p.endMs()) - Math.max(startMs, p.startMs());
      if (overlap > bestOverlap) {
        bestOverlap = overlap;
        best = p;
      }
    }
    return best;
  }
}
