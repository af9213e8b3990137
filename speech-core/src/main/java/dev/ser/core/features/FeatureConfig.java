package dev.ser.core.features;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Everything that determines an MFCC matrix, with librosa's names. The model file carries its
 * FeatureConfig as JSON, so training and streaming cannot disagree on features.
 *
 * <p>Fixed, as in librosa's defaults and the reference code: centred frames with zero padding of
 * {@code n_fft/2}, power spectrum, Slaney mel scale with Slaney area normalisation, dB with
 * {@code ref=1, amin=1e-10}, DCT-II with orthonormal scaling, no liftering.
 *
 * @param sampleRate   Hz of the audio the features are computed from (input is resampled to it)
 * @param nFft         FFT length
 * @param winLength    window length, at most nFft; the window is centred in the FFT frame
 * @param hopLength    samples between frame starts
 * @param window       window shape
 * @param nMels        mel bands
 * @param fMin         lowest mel band edge, Hz
 * @param fMax         highest mel band edge, Hz, at most sampleRate/2
 * @param topDb        the dB floor: log-mel values below (maximum over the whole input - topDb)
 *                     are raised to it; {@code null} for no floor
 * @param nMfcc        coefficients kept, c0 first
 * @param fixedLength  if positive, input is zero-padded (symmetrically) or centre-cropped to this
 *                     many samples before analysis, as TIM-Net's extractor does; 0 for none
 */
@JsonPropertyOrder({"sample_rate", "n_fft", "win_length", "hop_length", "window", "n_mels", "fmin", "fmax",
    "top_db", "n_mfcc", "fixed_length"})
public record FeatureConfig(
    @JsonProperty(value = "sample_rate", required = true) int sampleRate,
    @JsonProperty(value = "n_fft", required = true) int nFft,
    @JsonProperty(value = "win_length", required = true) int winLength,
    @JsonProperty(value = "hop_length", required = true) int hopLength,
    @JsonProperty(value = "window", required = true) WindowType window,
    @JsonProperty(value = "n_mels", required = true) int nMels,
    @JsonProperty(value = "fmin", required = true) double fMin,
    @JsonProperty(value = "fmax", required = true) double fMax,
    @JsonProperty(value = "top_db", required = true) Double topDb,
    @JsonProperty(value = "n_mfcc", required = true) int nMfcc,
    @JsonProperty(value = "fixed_length", required = true) int fixedLength)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(SerializationFeature.INDENT_OUTPUT);

  /** The named configurations, one per folder of the librosa reference vectors. */
  private static final Map<String, FeatureConfig> PRESETS = presets();

  public FeatureConfig {
    Objects.requireNonNull(window, "window");
    require(sampleRate >= 4000 && sampleRate <= 192_000, "sample_rate must be 4000..192000 Hz, got " + sampleRate);
    require(nFft >= 16 && (nFft & 1) == 0, "n_fft must be even and at least 16, got " + nFft);
    require(winLength > 0 && winLength <= nFft, "win_length must be 1..n_fft (" + nFft + "), got " + winLength);
    require(hopLength > 0, "hop_length must be positive, got " + hopLength);
    require(nMels > 0, "n_mels must be positive, got " + nMels);
    require(fMin >= 0 && fMin < fMax, "fmin must be >= 0 and below fmax, got fmin=" + fMin + " fmax=" + fMax);
    require(fMax <= sampleRate / 2.0, "fmax must be at most sample_rate/2 = " + sampleRate / 2.0 + ", got " + fMax);
    require(topDb == null || topDb > 0, "top_db must be positive or null (no floor), got " + topDb);
    require(nMfcc > 0 && nMfcc <= nMels, "n_mfcc must be 1..n_mels (" + nMels + "), got " + nMfcc);
    require(fixedLength >= 0, "fixed_length must be 0 (none) or a sample count, got " + fixedLength);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("invalid feature config: " + message);
    }
  }

  /** Number of bins of the one-sided power spectrum. */
  public int bins() {
    return nFft / 2 + 1;
  }

  /** Frames of the MFCC matrix for an input of {@code samples} samples (after pad/crop). */
  public int frameCount(int samples) {
    int n = fixedLength > 0 ? fixedLength : samples;
    return 1 + n / hopLength;
  }

  public FeatureConfig withFixedLength(int samples) {
    return new FeatureConfig(sampleRate, nFft, winLength, hopLength, window, nMels, fMin, fMax, topDb, nMfcc, samples);
  }

  public String toJson() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses JSON written by {@link #toJson()} or by hand; every field is required. */
  public static FeatureConfig fromJson(String json) {
    try {
      return JSON.readValue(json, FeatureConfig.class);
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw new IllegalArgumentException(cause.getMessage(), e);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("invalid feature config JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** A named preset: librosa-default, timnet-emodb, paper-16k or telephony-8k. */
  public static FeatureConfig preset(String name) {
    FeatureConfig config = PRESETS.get(name);
    if (config == null) {
      throw new IllegalArgumentException("unknown feature preset \"" + name + "\"; known: "
          + String.join(", ", PRESETS.keySet()));
    }
    return config;
  }

  public static Map<String, FeatureConfig> presetsByName() {
    return PRESETS;
  }

  private static Map<String, FeatureConfig> presets() {
    Map<String, FeatureConfig> p = new LinkedHashMap<>();
    // librosa.feature.mfcc(y, sr=22050, n_mfcc=39) with every default
    FeatureConfig librosa = new FeatureConfig(22050, 2048, 2048, 512, WindowType.HANN, 128, 0, 11025, 80.0, 39, 0);
    p.put("librosa-default", librosa);
    // TIM-Net / MS-SENet reference extractor for EmoDB: pad or crop to 96000 samples first
    p.put("timnet-emodb", librosa.withFixedLength(96_000));
    // what the MS-SENet paper's text describes: 16 kHz, 50 ms Hamming window, 12.5 ms hop
    p.put("paper-16k", new FeatureConfig(16000, 2048, 800, 200, WindowType.HAMMING, 128, 0, 8000, 80.0, 39, 0));
    // narrow-band telephony: 8 kHz, 50 ms Hamming window, 12.5 ms hop, 40 bands
    p.put("telephony-8k", new FeatureConfig(8000, 512, 400, 100, WindowType.HAMMING, 40, 0, 4000, 80.0, 39, 0));
    return java.util.Collections.unmodifiableMap(p);
  }
}
