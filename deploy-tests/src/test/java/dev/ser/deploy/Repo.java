package dev.ser.deploy;

import java.nio.file.Path;

/** Where the repository is, for the tests of its deployment files. */
final class Repo {
  private Repo() {}

  static Path root() {
    return Path.of(System.getProperty("ser.samples.dir")).getParent();
  }

  static String version() {
    return System.getProperty("ser.version");
  }
}
