package dev.ser.bench;

import dev.ser.core.audio.WavFile;
import dev.ser.core.features.FeatureConfig;
import dev.ser.core.features.MfccExtractor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * MFCC throughput of each preset on one thread: seconds of audio per CPU second (thread CPU time),
 * over the 21 sample clips (2 s each) at the preset's rate, each extracted whole (padded or
 * cropped when the preset has a fixed length, as in the stream job); only the clips' own audio
 * counts as audio processed.
 */
final class FeatureBench {

  static final List<String> PRESETS = List.of("timnet-emodb", "paper-16k", "telephony-8k", "librosa-default");

  static Map<String, Object> run(Path clipsDir, double seconds) throws Exception {
    List<Path> wavs;
    try (Stream<Path> s = Files.list(clipsDir)) {
      wavs = s.filter(p -> p.toString().endsWith(".wav")).sorted().toList();
    }
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<String, Object> out = new LinkedHashMap<>();
    for (String name : PRESETS) {
      FeatureConfig config = FeatureConfig.preset(name);
      MfccExtractor extractor = new MfccExtractor(config);
      List<float[]> clips = new ArrayList<>();
      for (Path w : wavs) {
        clips.add(WavFile.readMono(w, config.sampleRate()));
      }
      // input audio only: a fixed-length preset pads 2 s clips with zeros, which cost little and are
      // not counted as audio processed
      double audioPerPass = 0;
      for (float[] c : clips) {
        audioPerPass += c.length / (double) config.sampleRate();
      }
      long sink = 0;
      for (int warm = 0; warm < 3; warm++) {
        for (float[] c : clips) {
          sink += extractor.extract(c).frames();
        }
      }
      long cpu0 = threads.getCurrentThreadCpuTime();
      long wall0 = System.nanoTime();
      int passes = 0;
      while (System.nanoTime() - wall0 < seconds * 1e9) {
        for (float[] c : clips) {
          sink += extractor.extract(c).frames();
        }
        passes++;
      }
      double cpu = (threads.getCurrentThreadCpuTime() - cpu0) / 1e9;
      double audio = audioPerPass * passes;
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("audio_seconds", audio);
      r.put("cpu_seconds", cpu);
      r.put("realtime_factor", audio / cpu);
      r.put("utterances_per_cpu_second", passes * clips.size() / cpu);
      r.put("checksum", sink);
      out.put(name, r);
    }
    return out;
  }
}
