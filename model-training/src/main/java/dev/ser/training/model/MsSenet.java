package dev.ser.training.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv1d;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.UniformInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * MS-SENet (arXiv 2312.11974) on TIM-Net: input (N, T, F) MFCCs, output (N, classes) logits.
 *
 * <p>Forward path: time-frequency fusion, a 1x1 convolution to {@code filters} channels, then
 * the temporal-aware blocks with dilations 1, 2, 4, ... The backward path does the same, with its
 * own weights, on the time-reversed input. After block j the two paths are added and averaged over
 * time; the n pooled vectors are combined with learned weights (dynamic fusion) and a dense layer
 * gives the class logits (softmax is applied by the loss and by the exported ONNX graph).
 */
public final class MsSenet extends AbstractBlock {

  private final ModelConfig config;
  final TimeFrequencyFusion[] fusion = new TimeFrequencyFusion[2];
  final Conv1d[] entry = new Conv1d[2];
  final List<TemporalAwareBlock[]> blocks = new ArrayList<>(); // [direction][j]
  final Parameter fusionWeights;
  final Linear classifier;

  public MsSenet(ModelConfig config) {
    super((byte) 1);
    this.config = config;
    String[] names = {"forward", "backward"};
    for (int d = 0; d < 2; d++) {
      fusion[d] = addChildBlock(names[d] + "_fusion", new TimeFrequencyFusion(config));
      entry[d] = addChildBlock(names[d] + "_entry",
          Conv1d.builder().setKernelShape(new Shape(1)).setFilters(config.filters()).build());
      TemporalAwareBlock[] path = new TemporalAwareBlock[config.blocks()];
      for (int j = 0; j < config.blocks(); j++) {
        path[j] = addChildBlock(names[d] + "_tab" + j, new TemporalAwareBlock(config, 1 << j));
      }
      blocks.add(path);
    }
    fusionWeights = addParameter(Parameter.builder().setName("dynamic_fusion").setType(Parameter.Type.WEIGHT)
        .optShape(new Shape(config.blocks(), 1)).optInitializer(new UniformInitializer(0.05f)).build());
    classifier = addChildBlock("classifier", Linear.builder().setUnits(config.classes()).build());
  }

  public ModelConfig config() {
    return config;
  }

  @Override
  protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray x = inputs.singletonOrThrow(); // (N, T, F)
    NDArray[] paths = {x, x.flip(1)};
    for (int d = 0; d < 2; d++) {
      NDArray fused = fusion[d].forward(ps, new NDList(paths[d]), training).singletonOrThrow(); // (N, T, 4F)
      paths[d] = entry[d].forward(ps, new NDList(fused.transpose(0, 2, 1)), training).singletonOrThrow(); // (N, C, T)
    }
    NDList pooled = new NDList(config.blocks());
    for (int j = 0; j < config.blocks(); j++) {
      for (int d = 0; d < 2; d++) {
        paths[d] = blocks.get(d)[j].forward(ps, new NDList(paths[d]), training).singletonOrThrow();
      }
      pooled.add(paths[0].add(paths[1]).mean(new int[] {2})); // (N, C)
    }
    NDArray stacked = NDArrays.stack(pooled, 2); // (N, C, n)
    NDArray weights = ps.getValue(fusionWeights, x.getDevice(), training); // (n, 1)
    NDArray combined = stacked.matMul(weights).squeeze(2); // (N, C)
    return classifier.forward(ps, new NDList(combined), training);
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return new Shape[] {new Shape(inputShapes[0].get(0), config.classes())};
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    Shape in = inputShapes[0];
    long n = in.get(0);
    long t = in.get(1);
    Shape sequence = new Shape(n, config.filters(), t);
    for (int d = 0; d < 2; d++) {
      fusion[d].initialize(manager, dataType, in);
      entry[d].initialize(manager, dataType, new Shape(n, 4 * in.get(2), t));
      for (TemporalAwareBlock b : blocks.get(d)) {
        b.initialize(manager, dataType, sequence);
      }
    }
    classifier.initialize(manager, dataType, new Shape(n, config.filters()));
  }
}
