package dev.ser.core.vad;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.core.audio.WavFile;
import dev.ser.core.features.ReferenceVectors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class UtteranceSegmenterTest {

  static final int RATE = 8000;
  static final double NOISE_RMS = Math.pow(10, -70 / 20.0);

  /** Builds a signal from (seconds, isTone) pieces: a 300 Hz tone at 0.3 or -70 dBFS noise. */
  static float[] signal(double... piecesSecondsTone) {
    Random random = new Random(1);
    List<Float> out = new ArrayList<>();
    for (int p = 0; p < piecesSecondsTone.length; p += 2) {
      int n = (int) Math.round(piecesSecondsTone[p] * RATE);
      boolean tone = piecesSecondsTone[p + 1] > 0;
      for (int i = 0; i < n; i++) {
        int t = out.size();
        out.add(tone ? (float) (0.3 * Math.sin(2 * Math.PI * 300 * t / RATE)) : (float) (random.nextGaussian() * NOISE_RMS));
      }
    }
    float[] a = new float[out.size()];
    for (int i = 0; i < a.length; i++) {
      a[i] = out.get(i);
    }
    return a;
  }

  static List<Utterance> run(UtteranceSegmenter segmenter, float[] audio, int chunk) {
    List<Utterance> out = new ArrayList<>();
    for (int i = 0; i < audio.length; i += chunk) {
      out.addAll(segmenter.accept(audio, i, Math.min(chunk, audio.length - i)));
    }
    out.addAll(segmenter.flush());
    return out;
  }

  static List<long[]> spans(List<Utterance> utterances) {
    return utterances.stream().map(u -> new long[] {u.index(), u.startSample(), u.endSample()}).toList();
  }

  @Test
  void findsUtterancesWithPreRollHangoverMinimumAndSplits() {
    float[] audio = signal(1.0, 0, 1.2, 1, 1.3, 0, 0.2, 1, 1.3, 0, 5.0, 1, 0.3, 0);
    UtteranceSegmenter segmenter = new UtteranceSegmenter(SegmenterConfig.defaults(RATE, 2000));
    List<Utterance> utterances = run(segmenter, audio, 160);

    // tone 1.0-2.2 s: from 0.9 s (100 ms pre-roll) to 2.7 s (500 ms hangover)
    // the 0.2 s burst at 3.5 s has less than 400 ms of speech: dropped
    // tone 5.0-10.0 s: from 4.9 s, cut every 2.0 s, the last piece closed by the end of stream
    assertThat(spans(utterances)).containsExactly(
        new long[] {0, 7200, 21600},
        new long[] {1, 39200, 55200},
        new long[] {2, 55200, 71200},
        new long[] {3, 71200, 82400});
    assertThat(segmenter.droppedUtterances()).isEqualTo(1);
    Utterance first = utterances.get(0);
    assertThat(first.samples()).hasSize(14400);
    assertThat(first.samples()[800]).isEqualTo(audio[8000]); // sample at 1.0 s
    assertThat(segmenter.position()).isEqualTo(audio.length);
    assertThat(segmenter.inUtterance()).isFalse();
  }

  @Test
  void aPauseShorterThanTheHangoverStaysInside() {
    float[] audio = signal(0.5, 0, 0.6, 1, 0.4, 0, 0.6, 1, 1.0, 0);
    List<Utterance> utterances = run(new UtteranceSegmenter(SegmenterConfig.defaults(RATE, 4000)), audio, 80);
    // 0.4 s - 2.1 s + 0.5 s hangover
    assertThat(spans(utterances)).containsExactly(new long[] {0, 3200, 20800});
  }

  @Test
  void theNoiseFloorFollowsLouderBackgroundNoise() {
    // noise steps up by 30 dB to -40 dBFS, above the absolute minimum: at first it looks like
    // speech, but the floor rises 6 dB/s and catches up, after which the noise is not speech
    Random random = new Random(3);
    float[] audio = new float[RATE * 12];
    for (int i = 0; i < audio.length; i++) {
      double rms = i < RATE ? NOISE_RMS : Math.pow(10, -40 / 20.0);
      audio[i] = (float) (random.nextGaussian() * rms);
    }
    UtteranceSegmenter segmenter = new UtteranceSegmenter(SegmenterConfig.defaults(RATE, 20_000));
    List<Utterance> utterances = new ArrayList<>(segmenter.accept(audio));
    assertThat(segmenter.noiseFloorDb()).isBetween(-42.0, -38.0);
    utterances.addAll(segmenter.flush());
    assertThat(segmenter.noiseFloorDb()).as("reset by the end of stream").isEqualTo(-60.0);
    assertThat(utterances).hasSize(1);
    Utterance u = utterances.get(0);
    assertThat(u.startSample()).isEqualTo(RATE - 800); // noise onset at 1.0 s, less the pre-roll
    // the floor climbs 30 dB - 9 dB threshold at 6 dB/s: speech ends about 3.5 s after the onset
    assertThat(u.endSample() / (double) RATE).isBetween(4.7, 5.4);
  }

  @Test
  void digitalSilenceAndFaintNoiseAreNeverSpeech() {
    float[] audio = new float[RATE * 3];
    Random random = new Random(4);
    for (int i = RATE; i < audio.length; i++) {
      audio[i] = (float) (random.nextGaussian() * Math.pow(10, -55 / 20.0)); // 65 dB above the zeros
    }
    UtteranceSegmenter segmenter = new UtteranceSegmenter(SegmenterConfig.defaults(RATE, 4000));
    assertThat(run(segmenter, audio, 1000)).isEmpty();
    assertThat(segmenter.droppedUtterances()).isZero();
  }

  /** Speech from the bundled EmoDB files joined with quiet gaps; 22 050 Hz. */
  static float[] realSpeech() throws IOException {
    Path wavs = ReferenceVectors.bundled().resolve("data/emodb/wav");
    List<Path> files;
    try (Stream<Path> s = Files.list(wavs)) {
      files = s.sorted().toList();
    }
    Random random = new Random(5);
    float[] out = new float[0];
    for (Path f : files) {
      float[] speech = WavFile.read(f).channel(0);
      float[] gap = new float[(int) (0.8 * 22050)];
      for (int i = 0; i < gap.length; i++) {
        gap[i] = (float) (random.nextGaussian() * 3e-4);
      }
      out = concat(concat(out, gap), speech);
    }
    // two files back to back: longer than maxUtteranceMs, so it gets split
    float[] first = WavFile.read(files.get(0)).channel(0);
    return concat(concat(out, first), first);
  }

  static float[] concat(float[] a, float[] b) {
    float[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  @ParameterizedTest(name = "{0} ms chunks")
  @ValueSource(ints = {10, 37, 1000})
  void theResultDoesNotDependOnChunking(int chunkMs) throws IOException {
    float[] audio = realSpeech();
    SegmenterConfig config = SegmenterConfig.defaults(22050, 2000);
    List<Utterance> reference = run(new UtteranceSegmenter(config), audio, audio.length);
    assertThat(reference).hasSizeGreaterThanOrEqualTo(5);

    List<Utterance> chunked = run(new UtteranceSegmenter(config), audio, 22050 * chunkMs / 1000);
    assertSameUtterances(chunked, reference);
  }

  @Test
  void randomChunkSizesGiveTheSameUtterancesToo() throws IOException {
    float[] audio = realSpeech();
    SegmenterConfig config = SegmenterConfig.defaults(22050, 2000);
    List<Utterance> reference = run(new UtteranceSegmenter(config), audio, audio.length);
    UtteranceSegmenter segmenter = new UtteranceSegmenter(config);
    Random random = new Random(6);
    List<Utterance> out = new ArrayList<>();
    for (int i = 0; i < audio.length; ) {
      int n = Math.min(1 + random.nextInt(3000), audio.length - i);
      out.addAll(segmenter.accept(audio, i, n));
      i += n;
    }
    out.addAll(segmenter.flush());
    assertSameUtterances(out, reference);
  }

  static void assertSameUtterances(List<Utterance> actual, List<Utterance> expected) {
    assertThat(spans(actual)).containsExactlyElementsOf(spans(expected));
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i).samples()).as("samples of utterance %d", i).isEqualTo(expected.get(i).samples());
    }
  }

  @Test
  void savedAndRestoredStateContinuesExactlyAsTheOriginal() throws IOException {
    float[] audio = realSpeech();
    // a long pre-roll and a short maximum so that saves land in every phase, splits included
    SegmenterConfig config = new SegmenterConfig(22050, 10, 9.0, -50.0, -60.0, 6.0, 500, 300, 400, 1500);
    List<Utterance> reference = run(new UtteranceSegmenter(config), audio, audio.length);
    assertThat(reference).hasSizeGreaterThanOrEqualTo(5);

    UtteranceSegmenter segmenter = new UtteranceSegmenter(config);
    Random random = new Random(11);
    List<Utterance> out = new ArrayList<>();
    int restores = 0;
    for (int i = 0; i < audio.length; ) {
      int n = Math.min(1 + random.nextInt(4000), audio.length - i);
      out.addAll(segmenter.accept(audio, i, n));
      i += n;
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      segmenter.writeTo(new java.io.DataOutputStream(bytes));
      segmenter = UtteranceSegmenter.readFrom(new java.io.DataInputStream(
          new java.io.ByteArrayInputStream(bytes.toByteArray())));
      restores++;
    }
    out.addAll(segmenter.flush());
    assertThat(restores).isGreaterThan(50);
    assertSameUtterances(out, reference);
    assertThat(segmenter.config()).isEqualTo(config);
  }

  @Test
  void aStateOfAnotherVersionIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> UtteranceSegmenter.readFrom(
            new java.io.DataInputStream(new java.io.ByteArrayInputStream(new byte[] {9}))))
        .isInstanceOf(IOException.class).hasMessageContaining("unknown segmenter state version 9");
  }

  @Test
  void flushWithoutSpeechEmitsNothingAndCountsThePartialFrame() {
    UtteranceSegmenter segmenter = new UtteranceSegmenter(SegmenterConfig.defaults(RATE, 4000));
    segmenter.accept(new float[123]);
    assertThat(segmenter.flush()).isEmpty();
    assertThat(segmenter.position()).isEqualTo(123);
  }

  @Test
  void invalidConfigIsExplained() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SegmenterConfig.defaults(RATE, 5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxUtteranceMs must be at least frameMs");
  }
}
