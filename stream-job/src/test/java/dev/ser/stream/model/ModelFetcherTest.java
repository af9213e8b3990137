package dev.ser.stream.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.ser.core.scoring.ModelChecksum;
import dev.ser.core.scoring.provider.InferenceDevice;
import dev.ser.schemas.ModelBand;
import dev.ser.schemas.ModelUpdate;
import dev.ser.stream.TestAudio;
import dev.ser.stream.scoring.ScoringModel;
import dev.ser.stream.scoring.SharedScorers;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * https model locations against a real TLS server (the JDK's, with a certificate keytool makes for
 * the test): the download, and each way it can fail, with the reason the refusal gives.
 */
class ModelFetcherTest {

  static final Path SECOND = Path.of("src/test/resources/models/second-version.onnx").toAbsolutePath();

  @TempDir
  static Path keys;

  static HttpsServer server;
  static Path ca;
  static String base;

  static void keytool(String... args) throws Exception {
    Process p = new ProcessBuilder(java.util.stream.Stream.concat(
        java.util.stream.Stream.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()),
        java.util.stream.Stream.of(args)).toList()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isZero();
  }

  @BeforeAll
  static void start() throws Exception {
    Path store = keys.resolve("server.p12");
    ca = keys.resolve("ca.pem");
    keytool("-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-keystore", store.toString(), "-storetype",
        "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
    keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", store.toString(), "-storepass", "changeit",
        "-file", ca.toString());
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(kmf.getKeyManagers(), null, null);
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    byte[] model = Files.readAllBytes(SECOND);
    server.createContext("/models/second.onnx", x -> {
      x.sendResponseHeaders(200, model.length);
      try (OutputStream out = x.getResponseBody()) {
        out.write(model);
      }
    });
    server.createContext("/slow-start", x -> {
      sleep(3_000);
      x.sendResponseHeaders(200, model.length);
      x.close();
    });
    server.createContext("/stalls", x -> {
      x.sendResponseHeaders(200, model.length);
      OutputStream out = x.getResponseBody();
      out.write(model, 0, 100);
      out.flush();
      sleep(3_000);
      x.close();
    });
    server.createContext("/moved", x -> {
      x.getResponseHeaders().add("Location", "https://elsewhere.example.org/m.onnx");
      x.sendResponseHeaders(302, -1);
      x.close();
    });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
    base = "https://localhost:" + server.getAddress().getPort();
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @AfterAll
  static void stop() {
    server.stop(0);
  }

  static ModelFetcher fetcher(Path trusted, long timeoutMs, long maxBytes) throws Exception {
    return new ModelFetcher(trusted, Duration.ofMillis(timeoutMs), maxBytes);
  }

  @Test
  void aModelIsDownloadedFromAServerTheJobTrusts(@TempDir Path dir) throws Exception {
    Path file = fetcher(ca, 10_000, 1 << 20).fetch(base + "/models/second.onnx", dir);
    assertThat(Files.readAllBytes(file)).isEqualTo(Files.readAllBytes(SECOND));
  }

  @Test
  void eachFailureSaysWhatWentWrongAndLeavesNoFile(@TempDir Path dir) throws Exception {
    ModelFetcher f = fetcher(ca, 500, 1 << 20);
    assertThatThrownBy(() -> f.fetch(base + "/missing.onnx", dir)).hasMessage("fetching " + base
        + "/missing.onnx answered HTTP 404");
    assertThatThrownBy(() -> f.fetch(base + "/moved", dir)).as("redirects are not followed")
        .hasMessage("fetching " + base + "/moved answered HTTP 302");
    assertThatThrownBy(() -> f.fetch(base + "/slow-start", dir)).hasMessage("fetching " + base
        + "/slow-start took longer than 500 ms");
    assertThatThrownBy(() -> f.fetch(base + "/stalls", dir)).hasMessage("fetching " + base
        + "/stalls took longer than 500 ms");
    assertThatThrownBy(() -> fetcher(ca, 10_000, 100).fetch(base + "/models/second.onnx", dir))
        .hasMessage("fetching " + base + "/models/second.onnx: " + Files.size(SECOND)
            + " bytes, more than the 100 allowed");
    assertThatThrownBy(() -> fetcher(null, 10_000, 1 << 20).fetch(base + "/models/second.onnx", dir))
        .as("the JVM's authorities do not know the test's certificate")
        .hasMessageStartingWith("fetching " + base + "/models/second.onnx failed: javax.net.ssl.SSLHandshakeException");
    try (var left = Files.list(dir)) {
      assertThat(left).isEmpty();
    }
  }

  @Test
  void anHttpsUpdateOnAnAllowedHostIsFetchedCheckedAndSwappedIn() throws Exception {
    SharedScorers.Spec spec = new SharedScorers.Spec(TestAudio.model().toAbsolutePath().toString(), InferenceDevice.CPU,
        1, 1, 0, 1, ModelChecksum.sha256(TestAudio.model()), "", "localhost", ca.toString(), 2_000);
    ModelUpdate.Builder u = ModelUpdate.newBuilder().setModelName("ms-senet-emodb").setModelVersion("fixture-2")
        .setSha256(ModelChecksum.sha256(SECOND)).setBand(ModelBand.ALL).setIssuedAt(Instant.EPOCH).setIssuedBy("test");
    try (SharedScorers.Lease shared = SharedScorers.acquire(spec, "https-test")) {
      var board = shared.switchboard();
      board.request(List.of(u.setLocation(base + "/slow-start").build(), u.setLocation(base + "/models/second.onnx")
          .build()), true);
      try (ModelSwitchboard<ScoringModel>.Lease model = board.acquire()) { // waits for the outcome
        assertThat(model.model().metadata().version()).isEqualTo("fixture-2");
      }
      assertThat(board.drainStatuses()).extracting(s -> s.accepted() + " " + s.refusedBy() + " " + s.reason())
          .containsExactly("false LOCATION fetching " + base + "/slow-start took longer than 2000 ms", "true null null");
    } finally {
      SharedScorers.closeUnused();
    }
  }
}
