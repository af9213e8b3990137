package dev.ser.core.scoring.provider;

import ai.onnxruntime.OrtEnvironment;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The process's ONNX Runtime environment, created safely.
 *
 * <p>ONNX Runtime 1.29.0's native initialisation uses stack space that grows with the process's
 * command line: with a JVM command line over about 4 KB (a long {@code -cp}, many {@code -D}
 * options, as Flink task managers and IDE launchers have) it overflows a default 1 MB Java thread
 * stack and the JVM dies with SIGSEGV and no error report. Creating the environment once on a
 * thread with a large stack avoids it; later calls on any thread reuse that environment.
 */
public final class OnnxRuntime {

  private static final long INIT_STACK_BYTES = 64L << 20;
  private static volatile OrtEnvironment environment;

  private OnnxRuntime() {}

  public static OrtEnvironment environment() {
    OrtEnvironment env = environment;
    if (env != null) {
      return env;
    }
    synchronized (OnnxRuntime.class) {
      if (environment == null) {
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<OrtEnvironment> created = new AtomicReference<>();
        Thread init = new Thread(null, () -> {
          try {
            created.set(OrtEnvironment.getEnvironment());
          } catch (Throwable t) {
            failure.set(t);
          }
        }, "onnxruntime-init", INIT_STACK_BYTES);
        init.start();
        try {
          init.join();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while loading ONNX Runtime", e);
        }
        if (failure.get() != null) {
          throw new IllegalStateException("ONNX Runtime could not be loaded: " + failure.get(), failure.get());
        }
        environment = created.get();
      }
      return environment;
    }
  }
}
