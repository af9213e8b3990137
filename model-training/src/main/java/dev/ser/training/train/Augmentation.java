package dev.ser.training.train;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Random;

/**
 * What is done to each training batch, on the MFCC matrices (frames x coefficients, row-major);
 * none of it makes an epoch longer. All off is {@link #NONE}.
 *
 * @param maxShiftFrames  each clip moved in time by up to this many frames either way, the frames
 *                        shifted in copying the edge frame (for padded clips: the silence frame)
 * @param timeMasks       how many runs of frames are replaced by the clip's mean frame
 * @param timeMaskWidth   each run is up to this many frames
 * @param coefficientMasks how many runs of coefficients (above c0) are replaced by the clip's mean
 *                        of that coefficient
 * @param coefficientMaskWidth each run is up to this many coefficients
 * @param gainDb          a level change of up to this many dB either way: with MFCCs of a log-mel
 *                        spectrum relative to a fixed reference it adds a constant to c0 only
 * @param mixupAlpha      mixup: pairs of clips and their targets mixed with a Beta(alpha, alpha)
 *                        weight; 0 is off
 * @param probability     the share of clips that get the shift, masks and gain
 * @param vtlpMaxWarp     vocal tract length perturbation: a clip's MFCCs may be replaced by those over a
 *                        frequency axis warped by 1 - w, 1 - w/2, 1 + w/2 or 1 + w (w this value; 0 is off),
 *                        computed from its audio before training ({@link #vtlpFactors()}); it makes one
 *                        speaker sound like speakers with shorter or longer vocal tracts
 * @param vtlpProbability the share of clips that get a warped version (before the shift, masks and gain)
 * @param speedMaxChange  speed perturbation: a clip's MFCCs may be replaced by those of its audio played
 *                        faster or slower by this share (0.1: at 0.9 and 1.1 times its speed, so tempo and
 *                        pitch both change; 0 is off), computed before training ({@link #speedFactors()})
 * @param speedProbability the share of clips that get a version at another speed (drawn before, and
 *                        instead of, a warped one)
 */
public record Augmentation(int maxShiftFrames, int timeMasks, int timeMaskWidth, int coefficientMasks,
    int coefficientMaskWidth, float gainDb, float mixupAlpha, float probability,
    // left out of the JSON when 0, so records of runs from before it compare equal
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) float vtlpMaxWarp,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) float vtlpProbability,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) float speedMaxChange,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) float speedProbability) {

  public static final Augmentation NONE = new Augmentation(0, 0, 0, 0, 0, 0f, 0f, 0f);

  /** Without vocal tract length perturbation. */
  public Augmentation(int maxShiftFrames, int timeMasks, int timeMaskWidth, int coefficientMasks,
      int coefficientMaskWidth, float gainDb, float mixupAlpha, float probability) {
    this(maxShiftFrames, timeMasks, timeMaskWidth, coefficientMasks, coefficientMaskWidth, gainDb, mixupAlpha,
        probability, 0f, 0f);
  }

  /** Without speed perturbation. */
  public Augmentation(int maxShiftFrames, int timeMasks, int timeMaskWidth, int coefficientMasks,
      int coefficientMaskWidth, float gainDb, float mixupAlpha, float probability, float vtlpMaxWarp,
      float vtlpProbability) {
    this(maxShiftFrames, timeMasks, timeMaskWidth, coefficientMasks, coefficientMaskWidth, gainDb, mixupAlpha,
        probability, vtlpMaxWarp, vtlpProbability, 0f, 0f);
  }

  public Augmentation {
    if (maxShiftFrames < 0 || timeMasks < 0 || timeMaskWidth < 0 || coefficientMasks < 0 || coefficientMaskWidth < 0
        || gainDb < 0 || mixupAlpha < 0 || probability < 0 || probability > 1 || vtlpMaxWarp < 0
        || vtlpMaxWarp > 0.3f || vtlpProbability < 0 || vtlpProbability > 1 || speedMaxChange < 0
        || speedMaxChange > 0.3f || speedProbability < 0 || speedProbability > 1) {
      throw new IllegalArgumentException("augmentation settings must be >= 0, the probabilities in [0, 1] and the"
          + " warp and speed change at most 0.3: " + this);
    }
  }

  public boolean isNone() {
    return equals(NONE) || (probability == 0f && mixupAlpha == 0f && !warps() && !changesSpeed());
  }

  /** Whether clips may be replaced by versions at other speeds. */
  public boolean changesSpeed() {
    return speedMaxChange > 0f && speedProbability > 0f;
  }

  /** Whether any precomputed versions of the clips are used (warped or at other speeds). */
  public boolean hasVersions() {
    return warps() || changesSpeed();
  }

  /** The speed factors of the versions at other speeds; empty when off. */
  public double[] speedFactors() {
    if (!changesSpeed()) {
      return new double[0];
    }
    double s = Double.parseDouble(Float.toString(speedMaxChange));
    return new double[] {1 - s, 1 + s};
  }

  /** Whether clips may be replaced by warped versions. */
  public boolean warps() {
    return vtlpMaxWarp > 0f && vtlpProbability > 0f;
  }

  /** The warp factors of the warped versions; empty when off. */
  public double[] vtlpFactors() {
    if (!warps()) {
      return new double[0];
    }
    double w = Double.parseDouble(Float.toString(vtlpMaxWarp)); // 0.1, not 0.100000001
    return new double[] {1 - w, 1 - w / 2, 1 + w / 2, 1 + w};
  }

  /**
   * The clip to train on: with probability {@code speedProbability} one of its versions at another
   * speed; else, with probability {@code vtlpProbability}, one of its warped versions; else {@code x}.
   * {@code versions} holds the {@link #vtlpFactors()} versions, then the {@link #speedFactors()} ones
   * (null: none). Without speed perturbation the draws from {@code random} are those of runs before it.
   */
  public float[] pick(float[] x, float[][] versions, Random random) {
    if (versions == null || versions.length == 0) {
      return x;
    }
    int warpedCount = warps() ? vtlpFactors().length : 0;
    if (changesSpeed() && random.nextFloat() < speedProbability) {
      return versions[warpedCount + random.nextInt(versions.length - warpedCount)];
    }
    if (!warps() || random.nextFloat() >= vtlpProbability) {
      return x;
    }
    return versions[random.nextInt(warpedCount)];
  }

  /**
   * A new matrix: {@code x} shifted, masked and with its gain changed, each drawn from
   * {@code random}; {@code x} itself is not changed.
   */
  public float[] apply(float[] x, int frames, int coefficients, Random random) {
    float[] out = x.clone();
    if (probability == 0f || random.nextFloat() >= probability) {
      return out;
    }
    if (maxShiftFrames > 0) {
      int shift = random.nextInt(2 * maxShiftFrames + 1) - maxShiftFrames;
      for (int t = 0; t < frames; t++) {
        int from = Math.max(0, Math.min(frames - 1, t - shift));
        System.arraycopy(x, from * coefficients, out, t * coefficients, coefficients);
      }
    }
    if (timeMasks > 0 && timeMaskWidth > 0) {
      float[] mean = new float[coefficients];
      for (int t = 0; t < frames; t++) {
        for (int c = 0; c < coefficients; c++) {
          mean[c] += out[t * coefficients + c] / frames;
        }
      }
      for (int m = 0; m < timeMasks; m++) {
        int width = random.nextInt(timeMaskWidth + 1);
        int start = random.nextInt(Math.max(1, frames - width + 1));
        for (int t = start; t < Math.min(frames, start + width); t++) {
          System.arraycopy(mean, 0, out, t * coefficients, coefficients);
        }
      }
    }
    if (coefficientMasks > 0 && coefficientMaskWidth > 0 && coefficients > 1) {
      for (int m = 0; m < coefficientMasks; m++) {
        int width = random.nextInt(coefficientMaskWidth + 1);
        int start = 1 + random.nextInt(Math.max(1, coefficients - 1 - width + 1));
        for (int c = start; c < Math.min(coefficients, start + width); c++) {
          float mean = 0;
          for (int t = 0; t < frames; t++) {
            mean += out[t * coefficients + c] / frames;
          }
          for (int t = 0; t < frames; t++) {
            out[t * coefficients + c] = mean;
          }
        }
      }
    }
    if (gainDb > 0) {
      // c0 of an orthonormal DCT-II over M mel bands is sum(dB) / sqrt(M); a gain of g dB moves
      // every band by g, so c0 by g * sqrt(M). M is not known here; c0 moves by g * sqrt(128)
      // for the 128-band presets, and by proportionally less for fewer bands, which is still a level change.
      float g = (2 * random.nextFloat() - 1) * gainDb * (float) Math.sqrt(128);
      for (int t = 0; t < frames; t++) {
        out[t * coefficients] += g;
      }
    }
    return out;
  }

  /** A mixup weight for the first clip of a pair, from Beta(alpha, alpha); 1 when mixup is off. */
  public float mixupWeight(Random random) {
    if (mixupAlpha == 0f) {
      return 1f;
    }
    double a = gamma(mixupAlpha, random);
    double b = gamma(mixupAlpha, random);
    return (float) (a / (a + b));
  }

  /** Marsaglia and Tsang's method, with the alpha < 1 boost. */
  static double gamma(double alpha, Random random) {
    if (alpha < 1) {
      return gamma(alpha + 1, random) * Math.pow(random.nextDouble(), 1 / alpha);
    }
    double d = alpha - 1.0 / 3;
    double c = 1 / Math.sqrt(9 * d);
    while (true) {
      double x = random.nextGaussian();
      double v = 1 + c * x;
      if (v <= 0) {
        continue;
      }
      v = v * v * v;
      double u = random.nextDouble();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) {
        return d * v;
      }
    }
  }
}
