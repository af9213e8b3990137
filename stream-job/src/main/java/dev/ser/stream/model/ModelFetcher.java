package dev.ser.stream.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * Downloads the model an https location names into a temporary file, for {@link ModelCandidateCheck}
 * to check like any other file: a GET with a deadline for the whole download, no redirects (a
 * redirect could leave the allowed hosts), status 200 only, at most {@code maxBytes}. Trusts the
 * JVM's certificate authorities, or only those of a PEM file the job names.
 */
public final class ModelFetcher {

  /** Why a download failed, in words for the refusal. */
  public static final class FetchException extends Exception {
    public FetchException(String message) {
      super(message);
    }
  }

  private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "ser-model-fetch-deadline");
        t.setDaemon(true);
        return t;
      });

  private final HttpClient http;
  private final Duration timeout;
  private final long maxBytes;

  /**
   * @param trustedCertificates PEM file of the certificate authorities to trust; null: the JVM's
   */
  public ModelFetcher(Path trustedCertificates, Duration timeout, long maxBytes) throws IOException,
      GeneralSecurityException {
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER);
    if (trustedCertificates != null) {
      b.sslContext(trusting(trustedCertificates));
    }
    this.http = b.build();
    this.timeout = timeout;
    this.maxBytes = maxBytes;
  }

  private static SSLContext trusting(Path pem) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    Collection<? extends Certificate> certs;
    try (InputStream in = Files.newInputStream(pem)) {
      certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
    }
    if (certs.isEmpty()) {
      throw new GeneralSecurityException("no certificate in " + pem);
    }
    int i = 0;
    for (Certificate c : certs) {
      store.setCertificateEntry("ca-" + i++, c);
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  /** Downloads {@code url} into a new file in {@code dir}; the caller deletes it. */
  public Path fetch(String url, Path dir) throws FetchException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout).GET().build();
    Path file;
    try {
      file = Files.createTempFile(dir, "model-", ".onnx");
    } catch (IOException e) {
      throw new FetchException("cannot make a file in " + dir + " for the download: " + e.getMessage());
    }
    boolean done = false;
    long deadline = System.nanoTime() + timeout.toNanos();
    java.util.concurrent.atomic.AtomicBoolean late = new java.util.concurrent.atomic.AtomicBoolean();
    try {
      HttpResponse<InputStream> response;
      try {
        response = http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
            .get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        throw new FetchException("fetching " + url + " took longer than " + timeout.toMillis() + " ms");
      } catch (java.util.concurrent.ExecutionException e) {
        Throwable cause = e.getCause() == null ? e : e.getCause();
        if (cause instanceof HttpTimeoutException) {
          throw new FetchException("fetching " + url + " took longer than " + timeout.toMillis() + " ms");
        }
        throw new FetchException("fetching " + url + " failed: " + cause);
      }
      InputStream body = response.body();
      // a server that stalls in the middle of the body: closing the stream ends the blocked read
      var watchdog = WATCHDOG.schedule(() -> {
        late.set(true);
        try {
          body.close();
        } catch (IOException ignored) {
          // the read fails either way
        }
      }, Math.max(0, deadline - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
      try (body) {
        if (response.statusCode() != 200) {
          throw new FetchException("fetching " + url + " answered HTTP " + response.statusCode());
        }
        long declared = response.headers().firstValueAsLong("Content-Length").orElse(-1);
        if (declared > maxBytes) {
          throw new FetchException("fetching " + url + ": " + declared + " bytes, more than the " + maxBytes + " allowed");
        }
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
          for (int n; (n = body.read(buffer)) >= 0; ) {
            total += n;
            if (total > maxBytes) {
              throw new FetchException("fetching " + url + ": more than the " + maxBytes + " bytes allowed");
            }
            out.write(buffer, 0, n);
          }
        }
      } finally {
        watchdog.cancel(false);
      }
      if (late.get()) {
        throw new FetchException("fetching " + url + " took longer than " + timeout.toMillis() + " ms");
      }
      done = true;
      return file;
    } catch (IOException e) {
      if (late.get()) {
        throw new FetchException("fetching " + url + " took longer than " + timeout.toMillis() + " ms");
      }
      throw new FetchException("fetching " + url + " failed: " + e);
    } finally {
      if (!done) {
        try {
          Files.deleteIfExists(file);
        } catch (IOException ignored) {
          // a temporary file left behind; nothing loads it
        }
      }
    }
  }
}
