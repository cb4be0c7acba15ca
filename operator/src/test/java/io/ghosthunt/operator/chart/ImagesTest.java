package io.ghosthunt.operator.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.lab.cluster.ControlPlane;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Dockerfiles are held to the code: the agent image installs exactly the packages whose tools
 * the checks call, every package pinned; both copy the jars the build makes; the base is pinned;
 * the operator runs as the UID the chart expects. The images the build makes with Jib (the ones the
 * tests' nodes run and users push) start exactly as the Dockerfiles say; their packages are read
 * from the Dockerfiles by scripts/images.sh.
 */
class ImagesTest {

  /** Each tool the agent's code runs, and the Debian package that ships it. */
  private static final Map<String, String> TOOLS =
      Map.of(
          "nft",
          "nftables",
          "iptables-legacy-save",
          "iptables",
          "ip6tables-legacy-save",
          "iptables",
          "conntrack",
          "conntrack",
          "ip",
          "iproute2");

  /** Tools of Debian's Essential packages: in every Debian image, never installed nor pinned. */
  private static final Map<String, String> ESSENTIAL = Map.of("nsenter", "util-linux");

  private static final Path REPO = ControlPlane.repo();

  @Test
  void theAgentImageCarriesExactlyWhatTheChecksCall() throws IOException {
    Set<String> called = toolsCalledByTheAgent();
    Set<String> known = new TreeSet<>(TOOLS.keySet());
    known.addAll(ESSENTIAL.keySet());
    assertEquals(known, called, "a tool the checks call has no package here (or the other way)");
    Set<String> needed = new TreeSet<>(TOOLS.values());
    needed.add("libpcap0.8"); // mtu and duplicateIp load it through pcap4j
    needed.add("openjdk-17-jre-headless");

    String dockerfile = Files.readString(REPO.resolve("probe-agent/Dockerfile"));
    Map<String, String> installed = packages(dockerfile);
    assertEquals(needed, new TreeSet<>(installed.keySet()));
    installed.forEach((p, v) -> assertFalse(v.isEmpty(), p + " is not pinned to a version"));
    assertTrue(
        dockerfile.contains("--no-install-recommends"),
        "recommends would add what the checks never call");
    assertTrue(
        dockerfile.contains("COPY probe-agent/target/ghosthunt.jar "), "the jar the build makes");
    assertPinnedBase(dockerfile);
    assertTrue(
        Files.readString(REPO.resolve("probe-agent/pom.xml"))
            .contains("<shaded.jar>ghosthunt</shaded.jar>"));
  }

  @Test
  void theOperatorImageIsAJreAndTheJarAsTheChartsUser() throws IOException {
    String dockerfile = Files.readString(REPO.resolve("operator/Dockerfile"));
    assertEquals(Set.of("openjdk-17-jre-headless"), packages(dockerfile).keySet());
    assertTrue(dockerfile.contains("COPY operator/target/ghosthunt-operator.jar "));
    assertTrue(
        Files.readString(REPO.resolve("operator/pom.xml"))
            .contains("<shaded.jar>ghosthunt-operator</shaded.jar>"));
    assertTrue(
        dockerfile.contains("\nUSER 65532:65532\n"),
        "non-root, the UID the chart's securityContext names");
    assertTrue(
        Files.readString(REPO.resolve("charts/ghosthunt-operator/templates/deployment.yaml"))
            .contains("runAsUser: 65532"));
    assertPinnedBase(dockerfile);
  }

  @Test
  void theJibImagesStartAsTheDockerfilesSay() throws IOException {
    for (String module : List.of("probe-agent", "operator")) {
      String dockerfile = Files.readString(REPO.resolve(module + "/Dockerfile"));
      String pom = Files.readString(REPO.resolve(module + "/pom.xml"));
      assertEquals(
          list(dockerfile, "ENTRYPOINT"), elements(pom, "entrypoint"), module + " entrypoint");
      assertEquals(list(dockerfile, "CMD"), elements(pom, "args"), module + " arguments");
      Matcher user = Pattern.compile("(?m)^USER (\\S+)").matcher(dockerfile);
      Matcher jibUser = Pattern.compile("<user>([^<]+)</user>").matcher(pom);
      assertEquals(
          user.find() ? user.group(1) : null,
          jibUser.find() ? jibUser.group(1) : null,
          module + " user");
    }
  }

  /**
   * The lab (the haunted house, the test cluster, the demo) is a test-scope dependency of both
   * modules, so neither shaded jar, the only thing Jib adds to an image, can carry it.
   */
  @Test
  void noImageCarriesTheLab() throws IOException {
    for (String module : List.of("probe-agent", "operator")) {
      String pom = Files.readString(REPO.resolve(module + "/pom.xml"));
      Matcher lab =
          Pattern.compile(
                  "<dependency>((?:(?!</dependency>).)*<artifactId>ghosthunt-lab</artifactId>"
                      + "(?:(?!</dependency>).)*)</dependency>",
                  Pattern.DOTALL)
              .matcher(pom);
      assertTrue(lab.find(), module + " tests depend on the lab");
      assertTrue(lab.group(1).contains("<scope>test</scope>"), module + ": the lab is test scope");
      assertFalse(lab.find(), module + " names the lab once");
    }
    assertTrue(
        Files.readString(REPO.resolve("pom.xml"))
            .contains("<includes>${shaded.jar}.jar</includes>"),
        "Jib adds the module's shaded jar alone");
    for (Path jar :
        List.of(
            REPO.resolve("probe-agent/target/ghosthunt.jar"),
            REPO.resolve("operator/target/ghosthunt-operator.jar"))) {
      if (!Files.isRegularFile(jar)) {
        continue; // not packaged yet (unit tests run before package)
      }
      try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
        assertTrue(
            zip.stream()
                .noneMatch(
                    e ->
                        e.getName().startsWith("io/ghosthunt/lab/")
                            || e.getName().startsWith("org/junit/")),
            jar + " carries lab or JUnit classes");
      }
    }
  }

  /** A Dockerfile instruction's JSON array, or an empty list without the instruction. */
  private static List<String> list(String dockerfile, String instruction) {
    Matcher m = Pattern.compile("(?m)^" + instruction + " \\[(.*)]$").matcher(dockerfile);
    if (!m.find()) {
      return List.of();
    }
    return Pattern.compile("\"([^\"]*)\"")
        .matcher(m.group(1))
        .results()
        .map(r -> r.group(1))
        .toList();
  }

  /** The child values of a Jib container list element in a pom ({@code <entrypoint><arg>...}). */
  private static List<String> elements(String pom, String element) {
    Matcher m =
        Pattern.compile("<" + element + ">(.*?)</" + element + ">", Pattern.DOTALL).matcher(pom);
    if (!m.find()) {
      return List.of();
    }
    return Pattern.compile("<arg>([^<]*)</arg>")
        .matcher(m.group(1))
        .results()
        .map(r -> r.group(1))
        .toList();
  }

  private static void assertPinnedBase(String dockerfile) {
    Matcher from = Pattern.compile("(?m)^FROM (\\S+)").matcher(dockerfile);
    assertTrue(from.find());
    assertTrue(
        from.group(1).matches("[^:]+:\\d[^ ]*") && !from.group(1).endsWith(":latest"),
        from.group(1));
  }

  /** package → version from the apt-get install lines. */
  private static Map<String, String> packages(String dockerfile) {
    Matcher m =
        Pattern.compile("\\s([a-z0-9][a-z0-9.+-]*)=(\\S+)")
            .matcher(dockerfile.substring(dockerfile.indexOf("apt-get install")).split("&& rm")[0]);
    Map<String, String> p = new java.util.TreeMap<>();
    while (m.find()) {
      p.put(m.group(1), m.group(2));
    }
    return p;
  }

  /**
   * The first string argument of every Commands.run call, and the legacy save tools Ruleset tries.
   */
  private static Set<String> toolsCalledByTheAgent() throws IOException {
    Set<String> tools = new TreeSet<>();
    Pattern run = Pattern.compile("Commands\\.run\\([^,]+,\\s*\"([^\"]+)\"");
    Pattern save = Pattern.compile("\"(ip6?tables-legacy-save|nsenter)\"");
    try (Stream<Path> files = Files.walk(REPO.resolve("probe-agent/src/main/java"))) {
      for (Path f :
          files.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList())) {
        String code = Files.readString(f);
        Matcher m = run.matcher(code);
        while (m.find()) {
          tools.add(m.group(1));
        }
        Matcher s = save.matcher(code);
        while (s.find()) {
          tools.add(s.group(1));
        }
      }
    }
    return tools;
  }
}
