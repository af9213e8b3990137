package dev.ser.kafka;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for {@code localhost} made with the JDK's {@code keytool}: a PKCS12
 * keystore for the test broker and a PKCS12 truststore holding only that certificate, for its
 * clients. Both files share one random password.
 */
public record SelfSignedTls(Path keystore, Path truststore, String password) {

  /** Generates the key pair and both stores under {@code dir} (a few hundred ms). */
  public static SelfSignedTls generate(Path dir) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    byte[] random = new byte[12];
    new SecureRandom().nextBytes(random);
    String password = HexFormat.of().formatHex(random);
    Path keystore = dir.resolve("broker.p12");
    Path certificate = dir.resolve("broker.pem");
    Path truststore = dir.resolve("truststore.p12");
    keytool(dir, "-genkeypair", "-alias", "broker", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3",
        "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
        "-keystore", keystore.toString(), "-storepass", password, "-keypass", password);
    keytool(dir, "-exportcert", "-rfc", "-alias", "broker", "-keystore", keystore.toString(), "-storepass", password,
        "-file", certificate.toString());
    keytool(dir, "-importcert", "-noprompt", "-alias", "broker", "-file", certificate.toString(), "-storetype",
        "PKCS12", "-keystore", truststore.toString(), "-storepass", password);
    return new SelfSignedTls(keystore, truststore, password);
  }

  private static void keytool(Path dir, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("keytool " + args[0] + " failed: " + output.strip());
    }
  }
}
