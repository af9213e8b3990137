package dev.ser.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EpochBenchTest {

  @Test
  void operatorTimesExcludeWhatTheyCallAndAddUpPerNameAndShape() throws Exception {
    // thread 1: conv 0-100 us calls mkldnn 10-70; conv again 200-250 calls mkldnn 210-240; thread 2: add 0-30,
    // same name and shape as nothing else; an instant ("i") event is not an operator
    String trace = "{\"traceEvents\": ["
        + "{\"name\":\"conv\",\"ph\":\"X\",\"ts\":0,\"dur\":100,\"pid\":\"p\",\"tid\":1,\"shape\":[[1,2]]},"
        + "{\"name\":\"mkldnn\",\"ph\":\"X\",\"ts\":10,\"dur\":60,\"pid\":\"p\",\"tid\":1,\"shape\":[[1,2]]},"
        + "{\"name\":\"conv\",\"ph\":\"X\",\"ts\":200,\"dur\":50,\"pid\":\"p\",\"tid\":1,\"shape\":[[1,2]]},"
        + "{\"name\":\"mkldnn\",\"ph\":\"X\",\"ts\":210,\"dur\":30,\"pid\":\"p\",\"tid\":1,\"shape\":[[1,2]]},"
        + "{\"name\":\"add\",\"ph\":\"X\",\"ts\":0,\"dur\":30,\"pid\":\"p\",\"tid\":2,\"shape\":[[3]]},"
        + "{\"name\":\"mark\",\"ph\":\"i\",\"ts\":5,\"pid\":\"p\",\"tid\":1}]}";
    List<Map<String, Object>> ops = EpochBench.exclusiveTimes(new ObjectMapper().readTree(trace));
    assertThat(ops).containsExactly(
        Map.of("operator", "mkldnn [[1,2]]", "ms", 0.09, "calls", 2L),
        Map.of("operator", "conv [[1,2]]", "ms", 0.06, "calls", 2L),
        Map.of("operator", "add [[3]]", "ms", 0.03, "calls", 1L));
  }
}
