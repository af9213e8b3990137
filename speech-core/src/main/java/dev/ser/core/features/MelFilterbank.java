package dev.ser.core.features;

/**
 * Triangular mel filters on the Slaney scale (linear below 1 kHz, logarithmic above) with
 * Slaney area normalisation, as {@code librosa.filters.mel(htk=False, norm="slaney")} builds them.
 * Stored sparsely: each band keeps only the FFT bins where its weight is non-zero.
 */
public final class MelFilterbank {

  private static final double F_SP = 200.0 / 3;
  private static final double MIN_LOG_HZ = 1000.0;
  private static final double MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
  private static final double LOG_STEP = Math.log(6.4) / 27.0;

  private final int bins;
  private final int[] firstBin;
  private final double[][] weights;

  MelFilterbank(int sampleRate, int nFft, int nMels, double fMin, double fMax) {
    this(sampleRate, nFft, nMels, fMin, fMax, 1.0);
  }

  /**
   * As above, with the frequency axis warped by {@code warp} before the filters are applied
   * (vocal tract length perturbation, Jaitly and Hinton 2013): a bin at f Hz is read as
   * {@code warp * f} up to a boundary, then linearly so that the Nyquist frequency stays where it
   * is. 1.0 is the plain filterbank, bit for bit.
   */
  MelFilterbank(int sampleRate, int nFft, int nMels, double fMin, double fMax, double warp) {
    if (!(warp >= 0.5 && warp <= 2.0)) {
      throw new IllegalArgumentException("warp factor must be in [0.5, 2], got " + warp);
    }
    this.bins = nFft / 2 + 1;
    double melMin = hzToMel(fMin);
    double melMax = hzToMel(fMax);
    double[] edges = new double[nMels + 2];
    for (int i = 0; i < edges.length; i++) {
      edges[i] = melToHz(melMin + (melMax - melMin) * i / (nMels + 1));
    }
    firstBin = new int[nMels];
    weights = new double[nMels][];
    double[] row = new double[bins];
    for (int m = 0; m < nMels; m++) {
      double lowerWidth = edges[m + 1] - edges[m];
      double upperWidth = edges[m + 2] - edges[m + 1];
      double norm = 2.0 / (edges[m + 2] - edges[m]);
      int first = -1;
      int last = -1;
      for (int k = 0; k < bins; k++) {
        double f = warp(warp, (double) k * sampleRate / nFft, sampleRate / 2.0);
        double rising = (f - edges[m]) / lowerWidth;
        double falling = (edges[m + 2] - f) / upperWidth;
        double w = Math.max(0.0, Math.min(rising, falling));
        // librosa keeps its filterbank in float32: round the same way so sums match closely
        row[k] = (float) ((float) w * norm);
        if (row[k] != 0) {
          if (first < 0) {
            first = k;
          }
          last = k;
        }
      }
      if (first < 0) {
        // an empty band (too many bands for n_fft): all-zero, as librosa warns and produces
        firstBin[m] = 0;
        weights[m] = new double[0];
      } else {
        firstBin[m] = first;
        weights[m] = java.util.Arrays.copyOfRange(row, first, last + 1);
      }
    }
  }

  public static MelFilterbank of(FeatureConfig c) {
    return new MelFilterbank(c.sampleRate(), c.nFft(), c.nMels(), c.fMin(), c.fMax());
  }

  /** The filterbank of {@code c} over a frequency axis warped by {@code warp} (training augmentation only). */
  public static MelFilterbank warped(FeatureConfig c, double warp) {
    return new MelFilterbank(c.sampleRate(), c.nFft(), c.nMels(), c.fMin(), c.fMax(), warp);
  }

  /**
   * Piecewise-linear warp of {@code f}: {@code warp * f} below a boundary at 80 % of Nyquist (scaled
   * so the warped boundary stays below Nyquist), then a line to (nyquist, nyquist).
   */
  static double warp(double warp, double f, double nyquist) {
    if (warp == 1.0) {
      return f;
    }
    double boundary = 0.8 * nyquist * Math.min(warp, 1.0) / warp;
    if (f <= boundary) {
      return warp * f;
    }
    return nyquist - (nyquist - warp * boundary) * (nyquist - f) / (nyquist - boundary);
  }

  static double hzToMel(double hz) {
    return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
  }

  static double melToHz(double mel) {
    return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : mel * F_SP;
  }

  public int bands() {
    return weights.length;
  }

  /** The dense matrix, bands x bins, for tests and inspection. */
  public double[][] dense() {
    double[][] d = new double[weights.length][bins];
    for (int m = 0; m < weights.length; m++) {
      System.arraycopy(weights[m], 0, d[m], firstBin[m], weights[m].length);
    }
    return d;
  }

  /** Mel band energies of one power spectrum: {@code out[outOffset + m] = sum_k W[m][k] power[k]}. */
  void apply(double[] power, double[] out, int outOffset) {
    for (int m = 0; m < weights.length; m++) {
      double[] w = weights[m];
      int k0 = firstBin[m];
      // four partial sums: one running sum would wait on every addition
      double s0 = 0;
      double s1 = 0;
      double s2 = 0;
      double s3 = 0;
      int j = 0;
      for (; j + 3 < w.length; j += 4) {
        s0 += w[j] * power[k0 + j];
        s1 += w[j + 1] * power[k0 + j + 1];
        s2 += w[j + 2] * power[k0 + j + 2];
        s3 += w[j + 3] * power[k0 + j + 3];
      }
      for (; j < w.length; j++) {
        s0 += w[j] * power[k0 + j];
      }
      out[outOffset + m] = (s0 + s1) + (s2 + s3);
    }
  }
}
