package dev.ser.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorProfileTest {

  /** Two runs of a two-node graph, as ONNX Runtime's profiler writes them (plus events that are not node times). */
  static final String TRACE = """
      [
       {"cat":"Session","name":"model_run","dur":900},
       {"cat":"Node","name":"conv1_fence_before","dur":0,"args":{"op_name":"Conv"}},
       {"cat":"Node","name":"conv1_kernel_time","dur":300,"args":{"op_name":"Conv",
         "input_type_shape":[{"float":[1,1,188,39]},{"float":[39,1,11,1]},{"float":[39]}],
         "output_type_shape":[{"float":[1,39,188,39]}]}},
       {"cat":"Node","name":"cat_kernel_time","dur":100,"args":{"op_name":"Concat",
         "input_type_shape":[{"float":[1,39,188,39]},{"float":[1,39,188,39]}],
         "output_type_shape":[{"float":[1,39,188,78]}]}},
       {"cat":"Node","name":"conv1_kernel_time","dur":260,"args":{"op_name":"Conv",
         "input_type_shape":[{"float":[1,1,188,39]},{"float":[39,1,11,1]},{"float":[39]}],
         "output_type_shape":[{"float":[1,39,188,39]}]}},
       {"cat":"Node","name":"cat_kernel_time","dur":140,"args":{"op_name":"Concat"}},
       {"cat":"Node","name":"mm_kernel_time","dur":0,"args":{"op_name":"MatMul",
         "input_type_shape":[{"float":[188,156]},{"float":[156,39]}],"output_type_shape":[{"float":[188,39]}]}}
      ]
      """;

  @Test
  void nodeTimesAreSummedPerOperatorTypeWithTheArithmeticOfConvolutions() throws Exception {
    JsonNode trace = new ObjectMapper().readTree(TRACE);
    Map<String, Object> s = OperatorProfile.summarise(trace, 2);
    assertThat(s.get("operator_ms_per_run")).isEqualTo(0.4);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rows = (List<Map<String, Object>>) s.get("by_operator");
    assertThat(rows).extracting(r -> r.get("op")).containsExactly("Conv", "Concat", "MatMul");
    // 39 x 188 x 39 outputs, 11 multiply-adds each: 3 145 428 per run; 2 runs in 560 us
    assertThat(rows.get(0)).containsEntry("nodes", 1).containsEntry("ms_per_run", 0.28)
        .containsEntry("share", 0.7).containsEntry("mega_multiply_adds", 3.145428);
    assertThat((Double) rows.get(0).get("gflops")).isEqualTo(2.0 * 3_145_428 * 2 / 560e3);
    assertThat(rows.get(1)).containsEntry("ms_per_run", 0.12).doesNotContainKey("gflops");
    assertThat(OperatorProfile.multiplyAdds("MatMul", trace.get(6).path("args"))).isEqualTo(188L * 39 * 156);
    assertThat(rows.get(2)).containsEntry("mega_multiply_adds", 0.571896).doesNotContainKey("gflops"); // one node in two runs; no time: no rate
  }
}
