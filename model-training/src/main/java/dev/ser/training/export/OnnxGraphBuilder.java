package dev.ser.training.export;

import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;

/**
 * Builds an ONNX graph node by node over the ONNX protobuf classes. Names are generated, so
 * callers only pass the values around.
 */
public final class OnnxGraphBuilder {

  public static final int OPSET = 17;
  /** IR version 8 goes with opset 17 (ONNX 1.12+). */
  private static final long IR_VERSION = 8;

  private final GraphProto.Builder graph = GraphProto.newBuilder();
  private int counter;

  public OnnxGraphBuilder(String name) {
    graph.setName(name);
  }

  /** A float32 graph input; a null dimension is symbolic (named "batch"). */
  public String input(String name, Long... dims) {
    graph.addInput(valueInfo(name, dims));
    return name;
  }

  public void output(String name, Long... dims) {
    graph.addOutput(valueInfo(name, dims));
  }

  private static ValueInfoProto valueInfo(String name, Long... dims) {
    TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
    for (Long d : dims) {
      shape.addDim(d == null ? TensorShapeProto.Dimension.newBuilder().setDimParam("batch")
          : TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
        TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT.getNumber()).setShape(shape))).build();
  }

  /** A float32 constant (weights), little-endian raw data. */
  public String floats(String hint, float[] values, long... dims) {
    String name = fresh(hint);
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    raw.asFloatBuffer().put(values);
    graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT.getNumber())
        .addAllDims(java.util.Arrays.stream(dims).boxed().toList()).setRawData(ByteString.copyFrom(raw.array())));
    return name;
  }

  /** An int64 1-D constant (axes, pads, slice bounds). */
  public String longs(String hint, long... values) {
    String name = fresh(hint);
    graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64.getNumber())
        .addDims(values.length).addAllInt64Data(java.util.Arrays.stream(values).boxed().toList()));
    return name;
  }

  /** Adds a node with one output; attributes are int, long[], float or String values. */
  public String node(String op, Map<String, Object> attributes, String... inputs) {
    String output = fresh(op.toLowerCase(java.util.Locale.ROOT));
    nodeTo(output, op, attributes, inputs);
    return output;
  }

  public String node(String op, String... inputs) {
    return node(op, Map.of(), inputs);
  }

  /** Adds a node whose output has a given name (graph outputs). */
  public void nodeTo(String output, String op, Map<String, Object> attributes, String... inputs) {
    NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(fresh(op + "_node")).addOutput(output);
    for (String in : inputs) {
      n.addInput(in);
    }
    // by name: Map.of iterates in an order that changes between JVMs, and the same graph must give the same bytes
    new java.util.TreeMap<>(attributes).forEach((key, value) -> n.addAttribute(attribute(key, value)));
    graph.addNode(n);
  }

  private static AttributeProto attribute(String name, Object value) {
    AttributeProto.Builder a = AttributeProto.newBuilder().setName(name);
    if (value instanceof Integer i) {
      a.setType(AttributeProto.AttributeType.INT).setI(i);
    } else if (value instanceof Long l) {
      a.setType(AttributeProto.AttributeType.INT).setI(l);
    } else if (value instanceof Float f) {
      a.setType(AttributeProto.AttributeType.FLOAT).setF(f);
    } else if (value instanceof long[] ls) {
      a.setType(AttributeProto.AttributeType.INTS).addAllInts(java.util.Arrays.stream(ls).boxed().toList());
    } else if (value instanceof String s) {
      a.setType(AttributeProto.AttributeType.STRING).setS(ByteString.copyFromUtf8(s));
    } else {
      throw new IllegalArgumentException("unsupported attribute " + name + " = " + value);
    }
    return a.build();
  }

  private String fresh(String hint) {
    return hint + "_" + counter++;
  }

  public ModelProto build(String producerVersion, Map<String, String> metadata) {
    ModelProto.Builder model = ModelProto.newBuilder().setIrVersion(IR_VERSION).setProducerName("ser model-training")
        .setProducerVersion(producerVersion).addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
        .setGraph(graph);
    metadata.forEach((k, v) -> model.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return model.build();
  }
}
