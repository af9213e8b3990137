package dev.ser.cli;

import dev.ser.core.audio.AudioResampler;
import dev.ser.core.audio.DecodedAudio;
import dev.ser.core.audio.WavFile;
import dev.ser.core.features.FeatureConfig;
import dev.ser.core.features.MfccExtractor;
import dev.ser.core.features.MfccMatrix;
import dev.ser.core.io.Float32File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ser mfcc}: MFCCs of a WAV or raw float32 file, written as little-endian float32. */
@Command(name = "ser mfcc", sortOptions = false,
    description = "Computes MFCCs exactly as the model's training and the stream job do, and writes them as"
        + " little-endian float32, frames x coefficients, row-major (the librosa reference format)."
        + " Input is resampled to the config's sample rate when needed.",
    footer = {"", "Presets: librosa-default, timnet-emodb, paper-16k, telephony-8k.",
        "Example: bin/ser mfcc --preset timnet-emodb --in call.wav --channel 1 --out call.f32"})
public final class MfccCommand implements Callable<Integer> {

  static final class FeatureSource {
    @Option(names = "--preset", paramLabel = "NAME", description = "a named feature configuration")
    String preset;

    @Option(names = "--config", paramLabel = "FILE.json", description = "a FeatureConfig JSON file")
    Path config;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  FeatureSource source;

  @Option(names = "--in", required = true, paramLabel = "FILE.wav|FILE.f32",
      description = "WAV (PCM, float, mu-law, A-law) or raw little-endian float32 samples")
  Path in;

  @Option(names = "--sample-rate", paramLabel = "N",
      description = "sample rate of a .f32 input (default: the config's); WAV files carry their own")
  Integer sampleRate;

  @Option(names = "--channel", paramLabel = "N",
      description = "channel of a multi-channel WAV, from 0 (a stereo call recording has two)")
  Integer channel;

  @Option(names = "--out", required = true, paramLabel = "FILE.f32", description = "where to write the MFCCs")
  Path out;

  @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
  boolean help;

  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    Cli.run(new MfccCommand(), args);
  }

  @Override
  public Integer call() throws IOException {
    FeatureConfig config = source.preset != null
        ? FeatureConfig.preset(source.preset)
        : FeatureConfig.fromJson(Files.readString(source.config));
    DecodedAudio audio = readInput(config);
    float[] samples = audio.channelCount() == 1 && channel == null ? audio.channel(0) : selectChannel(audio);
    float[] resampled = AudioResampler.resample(samples, audio.sampleRate(), config.sampleRate());
    MfccMatrix mfcc = new MfccExtractor(config).extract(resampled);
    mfcc.writeF32(out);
    PrintWriter err = spec.commandLine().getErr();
    err.printf(Locale.ROOT, "%s: %.2f s at %d Hz%s -> %d frames x %d coefficients at %d Hz -> %s%n",
        in.getFileName(), audio.durationSeconds(), audio.sampleRate(),
        audio.channelCount() > 1 ? ", channel " + channel : "", mfcc.frames(), mfcc.coefficients(),
        config.sampleRate(), out);
    err.flush();
    return 0;
  }

  private DecodedAudio readInput(FeatureConfig config) throws IOException {
    boolean raw = in.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".f32");
    if (raw) {
      int rate = sampleRate != null ? sampleRate : config.sampleRate();
      AudioResampler.checkRate(rate);
      return DecodedAudio.mono(rate, Float32File.read(in));
    }
    DecodedAudio audio = WavFile.read(in);
    if (sampleRate != null && sampleRate != audio.sampleRate()) {
      throw new IllegalArgumentException("--sample-rate " + sampleRate + " contradicts " + in.getFileName()
          + ", whose header says " + audio.sampleRate() + " Hz; --sample-rate is for .f32 input");
    }
    return audio;
  }

  private float[] selectChannel(DecodedAudio audio) {
    if (channel == null) {
      throw new IllegalArgumentException(in.getFileName() + " has " + audio.channelCount()
          + " channels; choose one with --channel 0.." + (audio.channelCount() - 1));
    }
    return audio.channel(channel);
  }
}
