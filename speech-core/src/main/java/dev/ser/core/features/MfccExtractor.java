package dev.ser.core.features;

import java.util.Arrays;
import org.jtransforms.dct.DoubleDCT_1D;
import org.jtransforms.fft.DoubleFFT_1D;

/**
 * MFCCs exactly as {@code librosa.feature.mfcc} computes them (see {@link FeatureConfig} for the
 * fixed choices). Works in double precision; matches librosa 0.11's float32 output to about 1e-4.
 *
 * <p>The dB floor is relative to the maximum over the whole input, as in librosa, so features are
 * computed per utterance, never per frame. Instances are immutable and thread-safe; each call
 * allocates its own scratch buffers.
 */
public final class MfccExtractor {

  /** librosa's {@code power_to_db} defaults: {@code amin=1e-10}, {@code ref=1}. */
  private static final double AMIN = 1e-10;

  private final FeatureConfig config;
  private final int nFft;
  private final int hop;
  private final int nMels;
  private final int nMfcc;
  /** The window's samples, already placed at {@link #windowOffset} inside the FFT frame. */
  private final double[] window;
  private final int windowOffset;
  private final MelFilterbank mel;
  /** DCT-II over the mel bands. */
  private final DoubleDCT_1D dct;
  private final DoubleFFT_1D fft;

  public MfccExtractor(FeatureConfig config) {
    this(config, MelFilterbank.of(config));
  }

  /**
   * MFCCs over a frequency axis warped by {@code warp} ({@link MelFilterbank#warped}): vocal tract
   * length perturbation, for training augmentation only; the stream job never warps.
   */
  public static MfccExtractor warped(FeatureConfig config, double warp) {
    return new MfccExtractor(config, MelFilterbank.warped(config, warp));
  }

  private MfccExtractor(FeatureConfig config, MelFilterbank mel) {
    this.config = config;
    this.nFft = config.nFft();
    this.hop = config.hopLength();
    this.nMels = config.nMels();
    this.nMfcc = config.nMfcc();
    this.window = config.window().coefficients(config.winLength());
    this.windowOffset = (nFft - config.winLength()) / 2;
    this.mel = mel;
    this.dct = new DoubleDCT_1D(nMels);
    this.fft = new DoubleFFT_1D(nFft);
  }

  public FeatureConfig config() {
    return config;
  }

  /**
   * MFCCs of a signal at the config's sample rate (resample first otherwise). Applies the config's
   * fixed-length pad/crop.
   */
  public MfccMatrix extract(float[] samples) {
    float[] x = config.fixedLength() > 0 ? FixedLength.padOrCrop(samples, config.fixedLength()) : samples;
    if (x.length == 0) {
      throw new IllegalArgumentException("cannot compute MFCCs of an empty signal");
    }
    int frames = 1 + x.length / hop;
    double[] melPower = new double[frames * nMels];
    double maxMel = melSpectrogram(x, frames, melPower);
    return logAndDct(melPower, frames, maxMel);
  }

  /** Fills {@code out} with the mel power spectrogram (frames x nMels); returns its maximum. */
  private double melSpectrogram(float[] x, int frames, double[] out) {
    int n = x.length;
    int winLength = window.length;
    int bins = nFft / 2 + 1;
    // Frames whose window sees only zeros (fixed-length padding, digital silence at the ends) have
    // an all-zero spectrum: find the non-zero span once and skip their FFT.
    int firstNonZero = 0;
    while (firstNonZero < n && x[firstNonZero] == 0f) {
      firstNonZero++;
    }
    int lastNonZero = n - 1;
    while (lastNonZero > firstNonZero && x[lastNonZero] == 0f) {
      lastNonZero--;
    }
    double[] frame = new double[nFft];
    double[] power = new double[bins];
    double max = 0;
    for (int t = 0; t < frames; t++) {
      // frame t covers x[t*hop - nFft/2 ...]; the window occupies only part of it
      int start = t * hop - nFft / 2 + windowOffset;
      if (start > lastNonZero || start + winLength <= firstNonZero) {
        continue; // melPower is already 0
      }
      if (start >= 0 && start + winLength <= n) {
        // the FFT overwrites the whole buffer: re-zero what the window does not cover
        Arrays.fill(frame, 0, windowOffset, 0.0);
        Arrays.fill(frame, windowOffset + winLength, nFft, 0.0);
        for (int k = 0; k < winLength; k++) {
          frame[windowOffset + k] = x[start + k] * window[k];
        }
      } else {
        Arrays.fill(frame, 0.0);
        int from = Math.max(0, -start);
        int to = Math.min(winLength, n - start);
        for (int k = from; k < to; k++) {
          frame[windowOffset + k] = x[start + k] * window[k];
        }
      }
      fft.realForward(frame);
      // JTransforms packing: [Re0, Re(n/2), Re1, Im1, Re2, Im2, ...]
      power[0] = frame[0] * frame[0];
      power[bins - 1] = frame[1] * frame[1];
      for (int k = 1; k < bins - 1; k++) {
        double re = frame[2 * k];
        double im = frame[2 * k + 1];
        power[k] = re * re + im * im;
      }
      int offset = t * nMels;
      mel.apply(power, out, offset);
      for (int m = 0; m < nMels; m++) {
        max = Math.max(max, out[offset + m]);
      }
    }
    return max;
  }

  private MfccMatrix logAndDct(double[] melPower, int frames, double maxMel) {
    // db = max(10 log10(max(amin, p)), top-db floor) is max(10 log10 p, floor) with floor >= -100 dB
    Double topDb = config.topDb();
    double floorDb = 10 * Math.log10(AMIN);
    if (topDb != null) {
      floorDb = Math.max(floorDb, 10 * Math.log10(Math.max(AMIN, maxMel)) - topDb);
    }
    double floorPower = Math.pow(10, floorDb / 10);
    float[] out = new float[frames * nMfcc];
    double[] logMel = new double[nMels];
    // A frame whose every band is at the floor (the fixed-length padding, digital silence: half the frames
    // of a 2-s clip padded to 4.35 s) always has the same coefficients: transformed once, then copied.
    int floorFrame = -1;
    for (int t = 0; t < frames; t++) {
      int base = t * nMels;
      boolean allFloor = true;
      for (int m = 0; m < nMels; m++) {
        double p = melPower[base + m];
        // below the floor the log is not needed: the floor replaces it
        boolean floor = p <= floorPower;
        allFloor &= floor;
        logMel[m] = floor ? floorDb : Math.max(10 * Math.log10(p), floorDb);
      }
      if (allFloor && floorFrame >= 0) {
        System.arraycopy(out, floorFrame * nMfcc, out, t * nMfcc, nMfcc);
        continue;
      }
      // JTransforms' scaled DCT-II is the orthonormal one (scipy's norm="ortho"), in O(n log n)
      dct.forward(logMel, true);
      for (int c = 0; c < nMfcc; c++) {
        out[t * nMfcc + c] = (float) logMel[c];
      }
      if (allFloor) {
        floorFrame = t;
      }
    }
    return new MfccMatrix(frames, nMfcc, out);
  }
}
