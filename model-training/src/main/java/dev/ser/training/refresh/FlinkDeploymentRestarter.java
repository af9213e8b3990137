package dev.ser.training.refresh;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Makes the Flink Kubernetes Operator restart a job: a JSON merge patch of the FlinkDeployment's
 * {@code spec.restartNonce}. With {@code upgradeMode: savepoint} the operator takes a savepoint,
 * stops the job and starts it again from the savepoint, and the job loads the model file anew.
 * Talks to the Kubernetes API directly with the pod's service-account token (no client library).
 */
public final class FlinkDeploymentRestarter {

  static final Path SERVICE_ACCOUNT = Path.of("/var/run/secrets/kubernetes.io/serviceaccount");

  private final URI apiServer;
  private final String token;
  private final HttpClient http;

  public FlinkDeploymentRestarter(URI apiServer, String token, HttpClient http) {
    this.apiServer = apiServer;
    this.token = token;
    this.http = http;
  }

  /** Inside a pod: the API server from the environment, the mounted token and CA certificate. */
  public static FlinkDeploymentRestarter inCluster() throws Exception {
    String host = System.getenv("KUBERNETES_SERVICE_HOST");
    String port = System.getenv("KUBERNETES_SERVICE_PORT");
    if (host == null || port == null || !Files.exists(SERVICE_ACCOUNT.resolve("token"))) {
      throw new IllegalStateException("not running in a Kubernetes pod with a service account (KUBERNETES_SERVICE_HOST"
          + " or " + SERVICE_ACCOUNT + "/token missing); pass --kubernetes-api and --kubernetes-token-file");
    }
    return new FlinkDeploymentRestarter(URI.create("https://" + host + ":" + port),
        Files.readString(SERVICE_ACCOUNT.resolve("token")).trim(), trusting(SERVICE_ACCOUNT.resolve("ca.crt")));
  }

  /** An HTTP client that trusts the cluster's CA certificate. */
  static HttpClient trusting(Path caCertificate) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(caCertificate)) {
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trust.setCertificateEntry("ca-" + i++, c);
      }
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(10)).build();
  }

  /** Sets {@code spec.restartNonce} of {@code namespace/name} to {@code nonce}. */
  public void restart(String namespace, String name, long nonce) throws IOException, InterruptedException {
    URI uri = apiServer.resolve("/apis/flink.apache.org/v1beta1/namespaces/" + namespace + "/flinkdeployments/" + name);
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
        .header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/merge-patch+json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"spec\":{\"restartNonce\":" + nonce + "}}"))
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() / 100 != 2) {
      throw new IOException("patching FlinkDeployment " + namespace + "/" + name + " failed with HTTP "
          + response.statusCode() + ": " + response.body().strip()
          + (response.statusCode() == 403 ? " (the refresh job's service account needs 'patch' on flinkdeployments)" : ""));
    }
  }
}
