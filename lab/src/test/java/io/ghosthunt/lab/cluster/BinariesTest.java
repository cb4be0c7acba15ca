package io.ghosthunt.lab.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * One Kubernetes, one Helm and one CoreDNS version, written in the parent pom alone: the lab reads
 * them from the resource the build filters, the scripts from the pom, and no code carries its own
 * copy.
 */
class BinariesTest {

  private static final Path REPO = ControlPlane.repo();

  @Test
  void theVersionsAreThePomsOwn() throws IOException {
    String pom = Files.readString(REPO.resolve("pom.xml"));
    assertEquals(property(pom, "kube.version"), Binaries.kubernetesVersion());
    assertEquals(property(pom, "helm.version"), Binaries.helmVersion());
    assertEquals(property(pom, "coredns.version"), Binaries.corednsVersion());
    assertTrue(Binaries.kubernetesVersion().matches("\\d+\\.\\d+\\.\\d+"));
    assertEquals(
        Binaries.kubernetesVersion() + "-linux-amd64", Binaries.dir().getFileName().toString());
  }

  @Test
  void noSourceOrScriptWritesTheKubernetesVersionItself() throws IOException {
    String version = Binaries.kubernetesVersion();
    StringBuilder found = new StringBuilder();
    try (Stream<Path> files = Files.walk(REPO)) {
      for (Path f :
          files
              .filter(Files::isRegularFile)
              .filter(
                  f -> {
                    String rel = REPO.relativize(f).toString();
                    return !rel.startsWith(".git/")
                        && !rel.contains("/target/")
                        && !rel.startsWith("target/")
                        && (rel.endsWith(".java")
                            || rel.endsWith(".sh")
                            || rel.endsWith(".xml")
                            || rel.equals("ghosthunt"));
                  })
              .toList()) {
        String text = Files.readString(f);
        if (text.contains(version) && !f.equals(REPO.resolve("pom.xml"))) {
          found.append(REPO.relativize(f)).append('\n');
        }
      }
    }
    assertEquals("", found.toString(), version + " is written outside the parent pom");
  }

  private static String property(String pom, String name) {
    Matcher m = Pattern.compile("<" + name + ">([^<]+)</" + name + ">").matcher(pom);
    assertTrue(m.find(), "no " + name + " in the parent pom");
    return m.group(1);
  }
}
