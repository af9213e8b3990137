package dev.ser.training.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * DJL's {@code NDArray.mul(Number)} and {@code div(Number)} wrap the number in a Java direct buffer
 * without copying and close it when the call returns; autograd keeps that scalar for the backward
 * pass. After a garbage collection the buffer's memory is freed and reused, so the backward pass can
 * read another value (then the same seed gave other weights now and then, and a zero there makes
 * the gradients infinite). The forward pass must keep nothing that lives in Java memory.
 */
class FreedJavaMemoryTest {

  private static final ModelConfig CONFIG = ModelConfig.reference(16, 39, 4);

  @Test
  void gradientsDoNotChangeWhenJavaMemoryIsFreedAndReusedBeforeTheBackwardPass() throws Exception {
    try (Model model = newModel();
        Trainer trainer = model.newTrainer(new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss()))) {
      trainer.initialize(new Shape(4, 16, 39));
      List<float[]> quiet = gradients(model, trainer, false);
      List<float[]> disturbed = gradients(model, trainer, true);
      assertThat(quiet).hasSameSizeAs(disturbed);
      for (int i = 0; i < quiet.size(); i++) {
        assertThat(disturbed.get(i)).as("gradient %d", i).containsExactly(quiet.get(i));
      }
    }
  }

  private static Model newModel() {
    return dev.ser.training.train.MsSenetTrainer.newModel(CONFIG);
  }

  /** One forward and backward pass of the same 4 clips (same dropout draws); between them, optionally, GC and reuse. */
  private static List<float[]> gradients(Model model, Trainer trainer, boolean disturb) throws Exception {
    Random random = new Random(3);
    float[] flat = new float[4 * 16 * 39];
    for (int k = 0; k < flat.length; k++) {
      flat[k] = (float) random.nextGaussian();
    }
    Engine.getInstance().setRandomSeed(7);
    List<ByteBuffer> filler = new ArrayList<>();
    // gradients add up across backward passes: start from zeros
    for (var p : model.getBlock().getParameters()) {
      NDArray a = p.getValue().getArray();
      if (a.hasGradient()) {
        a.getGradient().set(new ai.djl.ndarray.index.NDIndex("..."), 0f);
      }
    }
    try (GradientCollector collector = trainer.newGradientCollector()) {
      NDArray input = EngineMemory.create(trainer.getManager(), flat, new Shape(4, 16, 39));
      NDArray logits = trainer.forward(new NDList(input)).singletonOrThrow();
      NDArray labels = EngineMemory.create(trainer.getManager(), new float[] {0, 1, 2, 3}, new Shape(4));
      NDArray loss = trainer.getLoss().evaluate(new NDList(labels), new NDList(logits));
      if (disturb) {
        // free what only the closed Java wrappers held, then take that memory back filled with NaN
        for (int i = 0; i < 3; i++) {
          System.gc();
          Thread.sleep(50); // the cleaner thread frees direct buffers after the collection
        }
        for (int i = 0; i < 20_000; i++) {
          ByteBuffer b = ByteBuffer.allocateDirect(4 + 4 * (i % 4)).order(ByteOrder.nativeOrder());
          while (b.remaining() >= 4) {
            b.putFloat(Float.NaN);
          }
          filler.add(b);
        }
      }
      collector.backward(loss);
    }
    List<float[]> out = new ArrayList<>();
    for (var p : model.getBlock().getParameters()) {
      NDArray a = p.getValue().getArray();
      if (a.hasGradient()) {
        out.add(a.getGradient().toFloatArray());
      }
    }
    assertThat(filler.size()).isEqualTo(disturb ? 20_000 : 0); // kept reachable until the backward pass is done
    return out;
  }
}
