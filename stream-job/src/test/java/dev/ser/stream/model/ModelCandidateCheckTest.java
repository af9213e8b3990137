package dev.ser.stream.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ser.core.scoring.EmotionScorer;
import dev.ser.core.scoring.ModelChecksum;
import dev.ser.core.scoring.ModelMetadata;
import dev.ser.core.scoring.provider.InferenceDevice;
import dev.ser.schemas.ModelBand;
import dev.ser.schemas.ModelUpdate;
import dev.ser.schemas.ModelUpdateSignature;
import dev.ser.stream.TestAudio;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each check on real model files: the shipped model, test models that fail, and files that are no model. */
class ModelCandidateCheckTest {

  static final Path SHIPPED = TestAudio.model();
  static ModelMetadata shipped;

  @TempDir
  Path dir;

  @BeforeAll
  static void readShipped() throws Exception {
    try (EmotionScorer s = EmotionScorer.open(SHIPPED)) {
      shipped = s.metadata();
    }
  }

  static Path fixture(String name) throws Exception {
    return Path.of(ModelCandidateCheckTest.class.getResource("/models/" + name).toURI());
  }

  static ModelUpdate update(String name, String version, Path file) throws Exception {
    return ModelUpdate.newBuilder().setModelName(name).setModelVersion(version)
        .setLocation(file.toAbsolutePath().toString()).setSha256(ModelChecksum.sha256(file)).setBand(ModelBand.ALL)
        .setIssuedAt(Instant.parse("2026-11-30T12:00:00Z")).setIssuedBy("test").build();
  }

  static ModelCandidateCheck checker(java.security.PublicKey key, String... hosts) {
    return new ModelCandidateCheck(new ModelCandidateCheck.Policy(key, Set.of(hosts)), InferenceDevice.CPU, 1);
  }

  private static ModelCandidateCheck.Verdict run(ModelCandidateCheck c, ModelUpdate u) {
    return c.check(u, ModelCandidateCheck.localPath(u), shipped);
  }

  private static void assertRefused(ModelCandidateCheck.Verdict v, ModelCandidateCheck.Check check, String reason) {
    assertThat(v.accepted()).isFalse();
    assertThat(v.refusedBy()).isEqualTo(check);
    assertThat(v.reason()).isEqualTo(reason);
  }

  @Test
  void theShippedModelUnderItsOwnNameAndChecksumIsAccepted() throws Exception {
    ModelCandidateCheck.Verdict v = run(checker(null), update(shipped.name(), shipped.version(), SHIPPED));
    assertThat(v.accepted()).as(v.reason()).isTrue();
    try (EmotionScorer s = v.scorer()) {
      assertThat(s.metadata().labels()).isEqualTo(shipped.labels());
    }
  }

  @Test
  void eachFileProblemIsRefusedByItsCheckWithTheReason() throws Exception {
    ModelCandidateCheck c = checker(null);
    ModelUpdate wrongSum = ModelUpdate.newBuilder(update(shipped.name(), shipped.version(), SHIPPED))
        .setSha256("0".repeat(64)).build();
    assertRefused(run(c, wrongSum), ModelCandidateCheck.Check.SHA256, "the file's SHA-256 is "
        + ModelChecksum.sha256(SHIPPED) + ", the update names " + "0".repeat(64));

    Path text = Files.writeString(dir.resolve("model.onnx"), "not a model\n");
    ModelCandidateCheck.Verdict notOnnx = run(c, update("m", "1", text));
    assertThat(notOnnx.refusedBy()).isEqualTo(ModelCandidateCheck.Check.NOT_A_MODEL);
    assertThat(notOnnx.reason()).startsWith("ONNX Runtime cannot use it as an emotion model: ");

    assertRefused(run(c, update(shipped.name(), "9", SHIPPED)), ModelCandidateCheck.Check.IDENTITY,
        "the file is " + shipped.name() + " " + shipped.version() + ", the update names " + shipped.name() + " 9");

    assertRefused(run(c, update("four-labels", "1", fixture("other-labels.onnx"))), ModelCandidateCheck.Check.LABELS,
        "its labels [angry, happy, neutral, sad] are not the running model's " + shipped.labels());

    ModelCandidateCheck.Verdict failing = run(c, update(shipped.name(), "fails-at-inference",
        fixture("fails-at-inference.onnx")));
    assertThat(failing.refusedBy()).isEqualTo(ModelCandidateCheck.Check.SELF_TEST);
    assertThat(failing.reason()).startsWith("the self-test failed: ").contains("Reshape");
  }

  @Test
  void anotherFeatureShapeAtTheSameRateIsAcceptedAnotherRateIsNot() throws Exception {
    ModelCandidateCheck c = checker(null);
    ModelCandidateCheck.Verdict second = run(c, update(shipped.name(), "fixture-2", fixture("second-version.onnx")));
    assertThat(second.accepted()).as(second.reason()).isTrue();
    assertThat(second.scorer().metadata().features().nMfcc()).isEqualTo(20);
    second.scorer().close();

    ModelMetadata narrowband = new ModelMetadata(shipped.name(), shipped.version(), shipped.labels(),
        dev.ser.core.features.FeatureConfig.preset("telephony-8k"), "none", "{}");
    ModelUpdate u = update(shipped.name(), shipped.version(), SHIPPED);
    assertRefused(c.check(u, SHIPPED, narrowband), ModelCandidateCheck.Check.SAMPLE_RATE,
        "its features are at 22050 Hz; the job cuts utterances at the running model's 8000 Hz");
  }

  @Test
  void locationsOtherThanAnAbsolutePathOrHttpsOnAnAllowedHostAreRefused() throws Exception {
    ModelCandidateCheck c = checker(null, "models.example.org");
    ModelUpdate base = update(shipped.name(), shipped.version(), SHIPPED);
    assertRefused(c.check(ModelUpdate.newBuilder(base).setLocation("models/m.onnx").build(), SHIPPED, shipped),
        ModelCandidateCheck.Check.LOCATION, "the location must be an absolute path or an https URL, got models/m.onnx");
    assertRefused(c.check(ModelUpdate.newBuilder(base).setLocation("http://models.example.org/m.onnx").build(), SHIPPED,
        shipped), ModelCandidateCheck.Check.LOCATION,
        "the location must be an absolute path or an https URL, got http://models.example.org/m.onnx");
    assertRefused(c.check(ModelUpdate.newBuilder(base).setLocation("https://evil.example.com/m.onnx").build(), SHIPPED,
        shipped), ModelCandidateCheck.Check.LOCATION,
        "host evil.example.com is not one the job may fetch models from [models.example.org] (model-update-allowed-hosts)");
    assertRefused(c.check(ModelUpdate.newBuilder(base).setLocation("/models/../etc/m.onnx").build(), SHIPPED,
        shipped), ModelCandidateCheck.Check.LOCATION, "the path /models/../etc/m.onnx climbs with ..");
    assertRefused(run(c, ModelUpdate.newBuilder(base).setLocation(dir.resolve("missing.onnx").toString()).build()),
        ModelCandidateCheck.Check.LOCATION, "no file at " + dir.resolve("missing.onnx"));
    // an allowed host's file, fetched by the caller, goes on to the other checks
    ModelCandidateCheck.Verdict fetched = c.check(ModelUpdate.newBuilder(base)
        .setLocation("https://models.example.org/m.onnx").build(), SHIPPED, shipped);
    assertThat(fetched.accepted()).as(fetched.reason()).isTrue();
    fetched.scorer().close();
    assertRefused(c.check(ModelUpdate.newBuilder(base).setLocation("https://models.example.org/m.onnx").build(), null,
        shipped), ModelCandidateCheck.Check.LOCATION, "the file at https://models.example.org/m.onnx was not fetched");
    // what needs no file is checked before anything is downloaded
    assertThat(c.beforeFetch(ModelUpdate.newBuilder(base).setLocation("https://models.example.org/m.onnx").build()))
        .isNull();
    assertRefused(c.beforeFetch(ModelUpdate.newBuilder(base).setLocation("https://evil.example.com/m.onnx").build()),
        ModelCandidateCheck.Check.LOCATION, "host evil.example.com is not one the job may fetch models from"
            + " [models.example.org] (model-update-allowed-hosts)");
    assertRefused(run(c, ModelUpdate.newBuilder(base).setBand(ModelBand.UNKNOWN).build()), ModelCandidateCheck.Check.BAND,
        "the update is for a band this job does not know (read as UNKNOWN)");
  }

  @Test
  void withAPublicKeyOnlyUpdatesSignedByItsPrivateKeyPass() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("Ed25519");
    KeyPair ours = g.generateKeyPair();
    KeyPair theirs = g.generateKeyPair();
    // keys travel as PEM files
    Path pub = Files.writeString(dir.resolve("job.pub.pem"), ModelUpdateSignature.pem(ours.getPublic(), "PUBLIC KEY"));
    Path key = Files.writeString(dir.resolve("publisher.pem"), ModelUpdateSignature.pem(ours.getPrivate(), "PRIVATE KEY"));
    ModelCandidateCheck c = checker(ModelUpdateSignature.readPublicKey(pub));
    ModelUpdate unsigned = update(shipped.name(), shipped.version(), SHIPPED);

    assertRefused(run(c, unsigned), ModelCandidateCheck.Check.SIGNATURE,
        "the job requires signed updates and this one carries no signature");
    ModelUpdate byThem = ModelUpdate.newBuilder(unsigned)
        .setSignature(ByteBuffer.wrap(ModelUpdateSignature.sign(theirs.getPrivate(), unsigned))).build();
    String badSignature = "the signature does not verify with the job's public key (signed by another key, or the name,"
        + " version, SHA-256 or band changed after signing)";
    assertRefused(run(c, byThem), ModelCandidateCheck.Check.SIGNATURE, badSignature);
    ModelUpdate byUs = ModelUpdate.newBuilder(unsigned).setSignature(ByteBuffer.wrap(
        ModelUpdateSignature.sign(ModelUpdateSignature.readPrivateKey(key), unsigned))).build();
    ModelCandidateCheck.Verdict v = run(c, byUs);
    assertThat(v.accepted()).as(v.reason()).isTrue();
    v.scorer().close();
    // the signature covers the band: moved to another band it no longer verifies
    assertRefused(run(c, ModelUpdate.newBuilder(byUs).setBand(ModelBand.NARROWBAND).build()),
        ModelCandidateCheck.Check.SIGNATURE, badSignature);
    assertThat(new String(ModelUpdateSignature.payload(unsigned), java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("ser-model-update/v1\n" + shipped.name() + "\n" + shipped.version() + "\n"
            + ModelChecksum.sha256(SHIPPED) + "\nALL\n");
  }
}
