package dev.ser.cli;

import dev.ser.schemas.ModelBand;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where and how a command publishes a model update (a picocli mixin of ser model publish and ser refresh). */
public final class ModelUpdateOptions {
  @Option(names = "--topic", defaultValue = "model-updates", description = "the control topic (default: ${DEFAULT-VALUE})")
  public String topic;

  @Option(names = "--band", defaultValue = "ALL", description = "ALL, NARROWBAND or WIDEBAND (default: ${DEFAULT-VALUE})")
  public ModelBand band;

  @Option(names = "--signing-key", paramLabel = "FILE", description = "Ed25519 private key (PEM) to sign the update with")
  public Path signingKey;
}
