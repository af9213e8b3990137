package dev.ser.training.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.core.audio.DecodedAudio;
import dev.ser.core.audio.WavFile;
import dev.ser.core.features.FeatureConfig;
import dev.ser.core.features.MfccExtractor;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training versions of a clip: warped ones first, then the clip played faster and slower. */
class FeatureSetVersionsTest {

  /** Frames (of the 188) whose c0 is not the padding's: how long the sound lasts, in frames. */
  static int soundingFrames(float[] mfcc, int coefficients) {
    int frames = mfcc.length / coefficients;
    float silence = mfcc[(frames - 1) * coefficients];
    int n = 0;
    for (int t = 0; t < frames; t++) {
      n += mfcc[t * coefficients] != silence ? 1 : 0;
    }
    return n;
  }

  @Test
  void speedVersionsLastShorterAndLongerAndFollowTheWarpedOnes(@TempDir Path dir) throws Exception {
    float[] tone = new float[22050]; // one second of 440 Hz
    for (int i = 0; i < tone.length; i++) {
      tone[i] = (float) (0.3 * Math.sin(2 * Math.PI * 440 * i / 22050.0));
    }
    Path wav = dir.resolve("03a01Wa.wav");
    WavFile.writePcm16(wav, new DecodedAudio(22050, new float[][] {tone}));
    FeatureConfig config = FeatureConfig.preset("timnet-emodb");
    FeatureSet set = FeatureSet.compute(List.of(new LabeledClip(wav, "angry", "03")), List.of("angry"), config,
        dir.resolve("cache"));
    float[][][] versions = set.versions(new double[] {0.9}, new double[] {0.9, 1.1});
    assertThat(versions).hasNumberOfRows(1);
    assertThat(versions[0]).hasNumberOfRows(3);
    // the sound is centred in the 96 000 samples; a frame sounds while its 2048-sample window, centred on
    // t * 512, overlaps it: 47 frames for 22 050 samples, 52 for the 24 500 of 0.9x, 43 for the 20 045 of 1.1x
    assertThat(soundingFrames(set.x()[0], 39)).isEqualTo(47);
    assertThat(soundingFrames(versions[0][0], 39)).as("warped: same duration").isEqualTo(47);
    assertThat(soundingFrames(versions[0][1], 39)).as("0.9x speed").isEqualTo(52);
    assertThat(soundingFrames(versions[0][2], 39)).as("1.1x speed").isEqualTo(43);
    assertThat(versions[0][0]).isEqualTo(MfccExtractor.warped(config, 0.9).extract(WavFile.readMono(wav, 22050)).data());
  }
}
