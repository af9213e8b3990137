package dev.ser.core.scoring.provider;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession.SessionOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Session options for a device. CUDA needs the {@code onnxruntime_gpu} artifact (Maven profile
 * {@code gpu}) and CUDA 12 + cuDNN libraries on the host; when either is missing the CUDA provider
 * cannot load, which is logged, and the model runs on the CPU instead of failing the job.
 */
public final class ExecutionProviders {

  private static final Logger LOG = LoggerFactory.getLogger(ExecutionProviders.class);

  private ExecutionProviders() {}

  /**
   * Adds the execution provider for {@code requested} to {@code options}.
   *
   * @return the device the session will actually use
   */
  public static InferenceDevice configure(SessionOptions options, InferenceDevice requested) {
    if (requested.kind() == InferenceDevice.Kind.CPU) {
      return InferenceDevice.CPU;
    }
    try {
      options.addCUDA(requested.index());
      return requested;
    } catch (OrtException | UnsatisfiedLinkError | RuntimeException e) {
      LOG.warn("CUDA execution provider for {} could not be loaded ({}); scoring on the CPU instead. It needs the"
          + " onnxruntime_gpu build (mvn -Pgpu) and CUDA 12 with cuDNN 9 on this host.", requested, e.getMessage());
      return InferenceDevice.CPU;
    }
  }
}
