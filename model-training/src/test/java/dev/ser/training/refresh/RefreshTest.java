package dev.ser.training.refresh;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.sun.net.httpserver.HttpServer;
import dev.ser.training.Samples;
import dev.ser.training.cli.RefreshCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class RefreshTest {

  static final Path SHIPPED = Samples.emodb().getParent().resolveSibling("models/ms-senet-emodb.onnx");

  /** A stand-in for the Kubernetes API server: records every request, answers with {@link #status}. */
  HttpServer api;
  final List<String> requests = new ArrayList<>();
  int status = 200;

  @BeforeEach
  void startApi() throws Exception {
    api = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    api.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
          + exchange.getRequestHeaders().getFirst("Content-Type") + " "
          + exchange.getRequestHeaders().getFirst("Authorization") + " " + body);
      byte[] answer = (status == 200 ? "{}" : "{\"reason\":\"Forbidden\"}").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(status, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    api.start();
  }

  @AfterEach
  void stopApi() {
    api.stop(0);
  }

  URI apiUri() {
    return URI.create("http://127.0.0.1:" + api.getAddress().getPort());
  }

  @Test
  void theDecisionFollowsTheMargin() {
    assertThat(ModelPromotion.decide(Double.NaN, 0.3, 0.01).promote()).isTrue();
    assertThat(ModelPromotion.decide(0.60, 0.595, 0.01).promote()).isTrue();
    assertThat(ModelPromotion.decide(0.60, 0.589, 0.01).promote()).isFalse();
    assertThat(ModelPromotion.decide(0.60, 0.589, 0.01).reason())
        .isEqualTo("candidate UAR 58.90 % < current 60.00 % - margin 1.00 points");
    assertThat(ModelPromotion.decide(0.60, 0.70, 0).promote()).isTrue();
    assertThatThrownBy(() -> ModelPromotion.decide(0.6, 0.6, -0.1)).hasMessageContaining("margin must be a fraction");
    assertThatThrownBy(() -> ModelPromotion.decide(0.6, Double.NaN, 0.01)).hasMessageContaining("not a fraction");
  }

  @Test
  void aModelCarriesItsUarAndPromotionReplacesCurrentWithItsChecksum(@TempDir Path models) throws Exception {
    assertThat(ModelPromotion.uarOf(SHIPPED)).isCloseTo(0.8004, within(1e-4));
    assertThat(ModelPromotion.uarOf(models.resolve("current/model.onnx"))).isNaN();
    ModelPromotion.promote(SHIPPED, models, "v7");
    Path current = models.resolve("current/model.onnx");
    assertThat(Files.readAllBytes(current)).isEqualTo(Files.readAllBytes(SHIPPED));
    String shippedSha = Files.readString(SHIPPED.resolveSibling("ms-senet-emodb.onnx.sha256")).split("\\s+")[0];
    assertThat(Files.readString(models.resolve("current/model.onnx.sha256"))).isEqualTo(shippedSha + "  model.onnx\n");
    assertThat(Files.readString(models.resolve("current/VERSION"))).isEqualTo("v7\n");
    try (var files = Files.list(models.resolve("current"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("model.onnx",
          "model.onnx.sha256", "VERSION");
    }
  }

  @Test
  void theRestartIsAMergePatchOfTheNonce(@TempDir Path dir) throws Exception {
    new FlinkDeploymentRestarter(apiUri(), "t0ken", HttpClient.newHttpClient()).restart("calls", "ser", 1234);
    assertThat(requests).containsExactly("PATCH /apis/flink.apache.org/v1beta1/namespaces/calls/flinkdeployments/ser"
        + " application/merge-patch+json Bearer t0ken {\"spec\":{\"restartNonce\":1234}}");
    status = 403;
    assertThatThrownBy(() -> new FlinkDeploymentRestarter(apiUri(), "t0ken", HttpClient.newHttpClient())
        .restart("calls", "ser", 1235))
        .hasMessageContaining("failed with HTTP 403").hasMessageContaining("needs 'patch' on flinkdeployments");
  }

  /** Two refreshes on the sample clips: a weak model is kept out, then admitted with a wide margin. */
  @Test
  void refreshPromotesOnlyWhatIsGoodEnoughAndRestartsTheJob(@TempDir Path models) throws Exception {
    ModelPromotion.promote(SHIPPED, models, "shipped");
    Path token = Files.writeString(models.resolve("token"), "abc\n");
    String[] common = {"--corpus", "emodb", "--data", Samples.emodb().toString(), "--models", models.toString(),
        "--flink-deployment", "ser", "--namespace", "calls", "--kubernetes-api", apiUri().toString(),
        "--kubernetes-token-file", token.toString()};

    String first = run(common, "--margin", "0.01", "--version", "weak", "--", "--folds", "2", "--epochs", "1");
    double weak = ModelPromotion.uarOf(models.resolve("versions/weak/model.onnx"));
    assertThat(weak).isLessThan(0.8004 - 0.01); // one epoch on 21 clips
    assertThat(first).contains("version weak NOT promoted");
    assertThat(Files.readString(models.resolve("current/VERSION"))).isEqualTo("shipped\n");
    assertThat(requests).isEmpty();

    String second = run(common, "--margin", "1", "--version", "wide", "--", "--folds", "2", "--epochs", "1");
    assertThat(second).contains("version wide promoted");
    assertThat(Files.readString(models.resolve("current/VERSION"))).isEqualTo("wide\n");
    assertThat(Files.readAllBytes(models.resolve("current/model.onnx")))
        .isEqualTo(Files.readAllBytes(models.resolve("versions/wide/model.onnx")));
    assertThat(requests).singleElement().asString()
        .startsWith("PATCH /apis/flink.apache.org/v1beta1/namespaces/calls/flinkdeployments/ser"
            + " application/merge-patch+json Bearer abc {\"spec\":{\"restartNonce\":");
  }

  static String run(String[] common, String... more) {
    List<String> args = new ArrayList<>(List.of(common));
    args.addAll(List.of(more));
    StringWriter printed = new StringWriter();
    CommandLine cli = new CommandLine(new RefreshCommand());
    cli.setOut(new PrintWriter(printed, true));
    int code = cli.execute(args.toArray(String[]::new));
    assertThat(code).as(printed.toString()).isZero();
    return printed.toString();
  }
}
