package io.ghosthunt.lab.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The images the lab nodes run: the operator and probe-agent images this build made with Jib (the
 * ones a user pushes), and the pause and CoreDNS images scripts/images.sh made from the binaries
 * scripts/control-plane.sh built from their Go modules.
 */
public final class Images {

  /**
   * The pause image, as scripts/images.sh tags it (pause.tar) and containerd's sandbox_image names
   * it: on every lab node, never pulled.
   */
  public static final String PAUSE = "registry.k8s.io/pause:3.10";

  private Images() {}

  /** The probe-agent image's reference, as Jib tagged it. */
  public static String probeAgent() {
    return reference("probe-agent");
  }

  /** The operator image's reference, as Jib tagged it. */
  public static String operator() {
    return reference("operator");
  }

  private static String reference(String module) {
    try {
      JsonNode built =
          new ObjectMapper().readTree(Files.readString(target(module, "jib-image.json")));
      return built.get("image").asText();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The tarballs every lab node's containerd imports. */
  public static List<Path> forNodes() {
    Path dir =
        Path.of(
            System.getenv()
                .getOrDefault(
                    "GHOSTHUNT_IMAGES",
                    Path.of(System.getProperty("user.home"), ".cache", "ghosthunt", "images")
                        .toString()));
    return List.of(
        existing(dir.resolve("pause.tar"), "scripts/images.sh bases"),
        existing(target("probe-agent", "probe-agent-image.tar"), "mvn -Pimages package"),
        existing(target("operator", "operator-image.tar"), "mvn -Pimages package"),
        existing(
            dir.resolve("coredns-v" + Binaries.corednsVersion() + ".tar"),
            "scripts/images.sh bases"));
  }

  /** Only the pause image: a node without the probe image, and no registry to pull it from. */
  public static List<Path> pauseOnly() {
    return forNodes().subList(0, 1);
  }

  private static Path target(String module, String file) {
    return existing(
        ControlPlane.repo().resolve(module).resolve("target").resolve(file),
        "mvn -Pimages package");
  }

  private static Path existing(Path file, String makeIt) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(
          file + " is missing: run `" + makeIt + "` (scripts/test.sh does both)");
    }
    return file;
  }
}
