package io.ghosthunt.operator.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The images the lab nodes run: the probe-agent image this build made with Jib (the one a user
 * pushes) and the pause image scripts/images.sh made from the Kubernetes source.
 */
public final class Images {

  private Images() {}

  /** The probe-agent image's reference, as Jib tagged it. */
  public static String probeAgent() {
    try {
      JsonNode built = new ObjectMapper().readTree(Files.readString(target("jib-image.json")));
      return built.get("image").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The tarballs every lab node's containerd imports. */
  public static List<Path> forNodes() {
    Path dir = Path.of(System.getenv().getOrDefault("GHOSTHUNT_IMAGES",
        Path.of(System.getProperty("user.home"), ".cache", "ghosthunt", "images").toString()));
    return List.of(existing(dir.resolve("pause.tar"), "scripts/images.sh bases"),
        existing(target("probe-agent-image.tar"), "mvn -Pimages package"));
  }

  private static Path target(String file) {
    return existing(ControlPlane.repo().resolve("probe-agent/target").resolve(file), "mvn -Pimages package");
  }

  private static Path existing(Path file, String makeIt) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(file + " is missing: run `" + makeIt + "` (scripts/test.sh does both)");
    }
    return file;
  }
}
