package dev.ser.training.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.io.Serializable;

/**
 * Shape and regularisation of an MS-SENet. Defaults follow the reference code: 39 filters
 * everywhere, time-frequency kernels 11x1, 1x9 and 3x3, spatial dropout 0.2 in the fusion and 0.1
 * in the temporal blocks, as many temporal-aware blocks as needed for the dilations 1, 2, 4, ...
 * to cover the input (8 for 188 frames).
 *
 * @param frames       time steps of the input MFCC matrix
 * @param coefficients MFCC coefficients per frame
 * @param classes      emotion classes
 * @param filters      channels of every convolution
 * @param blocks       temporal-aware blocks per direction; block j has dilation 2^(j-1)
 * @param fusionDropout   spatial dropout rate after each time-frequency convolution
 * @param temporalDropout spatial dropout rate inside the temporal-aware blocks
 * @param normalizeInput  standardise each coefficient with the training data's mean and standard
 *                        deviation, kept in the model (and in its ONNX graph); the reference feeds raw
 *                        MFCCs, whose c0 is in the hundreds, straight into the temporal path
 * @param speakers        speakers a training-only head tells apart from the pooled features, through a
 *                        gradient reversal (speaker-adversarial training; 0: no head). Not in the ONNX
 *                        graph; kept here so that a saved model loads with the parameters it was trained with
 */
public record ModelConfig(int frames, int coefficients, int classes, int filters, int blocks, float fusionDropout,
    float temporalDropout, boolean normalizeInput,
    // left out of the JSON when 0, so records of runs from before it compare equal
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) int speakers) implements Serializable {

  public ModelConfig {
    require(frames > 0 && coefficients > 0, "frames and coefficients must be positive");
    require(classes >= 2, "need at least 2 classes, got " + classes);
    require(filters > 0 && blocks > 0, "filters and blocks must be positive");
    require(fusionDropout >= 0 && fusionDropout < 1 && temporalDropout >= 0 && temporalDropout < 1,
        "dropout rates must be in [0, 1)");
    require(speakers == 0 || speakers >= 2, "a speaker head needs at least 2 speakers (0: none), got " + speakers);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException("invalid model config: " + message);
    }
  }

  /** The reference configuration for an input of {@code frames} x {@code coefficients}. */
  public static ModelConfig reference(int frames, int coefficients, int classes) {
    return new ModelConfig(frames, coefficients, classes, 39, blocksFor(frames), 0.2f, 0.1f, false, 0);
  }

  /** Fewest blocks whose largest dilation 2^(n-1) reaches half the input: 8 for 129..256 frames. */
  public static int blocksFor(int frames) {
    int n = 1;
    while ((1 << n) < frames) {
      n++;
    }
    return n;
  }
}
