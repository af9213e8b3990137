package dev.ser.schemas;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 signatures of model updates (the JDK's own): who holds the private key may change the
 * model of a job that has the public key. The signed bytes name the model, its version, its
 * SHA-256 and the band, so a signature cannot be moved to another file or another band. Keys are
 * PEM files as {@code openssl genpkey -algorithm ed25519} writes them (PKCS #8 private, X.509 public).
 */
public final class ModelUpdateSignature {

  private static final String ALGORITHM = "Ed25519";

  private ModelUpdateSignature() {}

  /** What is signed: a tag, then name, version, SHA-256 and band, each a line. */
  public static byte[] payload(ModelUpdate u) {
    return ("ser-model-update/v1\n" + u.getModelName() + "\n" + u.getModelVersion() + "\n" + u.getSha256() + "\n"
        + u.getBand() + "\n").getBytes(StandardCharsets.UTF_8);
  }

  public static byte[] sign(PrivateKey key, ModelUpdate u) throws GeneralSecurityException {
    Signature s = Signature.getInstance(ALGORITHM);
    s.initSign(key);
    s.update(payload(u));
    return s.sign();
  }

  /** Whether the update carries a signature of {@link #payload} made with the private half of {@code key}. */
  public static boolean verify(PublicKey key, ModelUpdate u) throws GeneralSecurityException {
    ByteBuffer signature = u.getSignature();
    if (signature == null) {
      return false;
    }
    byte[] bytes = new byte[signature.remaining()];
    signature.duplicate().get(bytes);
    Signature s = Signature.getInstance(ALGORITHM);
    s.initVerify(key);
    s.update(payload(u));
    try {
      return s.verify(bytes);
    } catch (java.security.SignatureException malformed) {
      return false;
    }
  }

  public static PublicKey readPublicKey(Path pem) throws IOException, GeneralSecurityException {
    return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der(pem, "PUBLIC KEY")));
  }

  public static PrivateKey readPrivateKey(Path pem) throws IOException, GeneralSecurityException {
    return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der(pem, "PRIVATE KEY")));
  }

  /** A key as a PEM block of {@code type} ("PUBLIC KEY" or "PRIVATE KEY"). */
  public static String pem(java.security.Key key, String type) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(key.getEncoded()) + "\n-----END " + type + "-----\n";
  }

  private static byte[] der(Path pem, String type) throws IOException {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException(pem + " holds no " + type + " PEM block (" + begin + " ... " + end + ")");
    }
    return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
  }
}
