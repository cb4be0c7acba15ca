package io.ghosthunt.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every example parses into the model, writes back to the same document, and resolves. */
class ExamplesRoundTripTest {

  static final Path EXAMPLES = Path.of("..", "examples");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private final KubernetesSerialization serialization = new KubernetesSerialization();

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @Test
  void examplesIncludeTheTuesdayPossessionAndOnePerSymptom() throws IOException {
    List<String> names = examples().map(p -> p.getFileName().toString()).toList();
    assertTrue(names.contains("tuesday-possession.yaml"), names::toString);
    assertTrue(names.contains("every-check.yaml"), names::toString);
    for (io.ghosthunt.api.spec.Symptom symptom : io.ghosthunt.api.spec.Symptom.values()) {
      boolean covered = examples().anyMatch(p -> read(p).contains("symptom: " + symptom.name()));
      assertTrue(covered, "no example for symptom " + symptom);
    }
  }

  @ParameterizedTest
  @MethodSource("examples")
  void yamlToModelToYamlKeepsEveryField(Path file) throws IOException {
    String text = Files.readString(file);
    GhostHunt hunt = serialization.unmarshal(text, GhostHunt.class);
    JsonNode original = YAML.readTree(text);
    JsonNode written = YAML.readTree(serialization.asYaml(hunt));
    assertEquals(
        original,
        written,
        () -> file + " changed in the round trip:\n" + serialization.asYaml(hunt));
  }

  @ParameterizedTest
  @MethodSource("examples")
  void everyExampleResolvesToAtLeastOneCheck(Path file) throws Exception {
    GhostHunt hunt = serialization.unmarshal(Files.readString(file), GhostHunt.class);
    ResolvedHunt resolved = HuntResolver.resolve(hunt.getSpec());
    assertFalse(resolved.keys().isEmpty(), file.toString());
    if (hunt.getSpec().getSymptom() != null && hunt.getSpec().getChecks() == null) {
      assertTrue(
          hunt.getSpec().getSymptom().checks().containsAll(resolved.keys()), file.toString());
    }
  }

  @Test
  void statusRoundTripsWithFindingsAndConditions() throws IOException {
    String text =
        """
        apiVersion: ghosthunt.io/v1alpha1
        kind: GhostHunt
        metadata:
          name: tuesday-possession
          namespace: default
        spec:
          checks:
            portOwner:
              ports: [8080]
              expectedProcess: java
        status:
          observedGeneration: 1
          phase: Complete
          verdict: Haunted
          ghosts: 1
          progress: 1/1
          summary: "node-a: port 8080 held by PID 4242 (sleep 3600)"
          conditions:
          - type: Complete
            status: "True"
            reason: AllNodesReported
            message: 1 of 1 nodes reported
            observedGeneration: 1
            lastTransitionTime: "2026-11-25T12:00:00Z"
          nodes:
          - node: node-a
            phase: Done
            findings:
            - check: portOwner
              target: tcp/8080
              verdict: Ghost
              ghost: OrphanedPort
              summary: port 8080 is held by PID 4242 (sleep 3600), not by java
              evidence: {pid: "4242", command: sleep 3600, ppid: "1"}
              remediation: kill 4242, then restart the service
              durationMs: 9
        """;
    GhostHunt hunt = serialization.unmarshal(text, GhostHunt.class);
    assertEquals(
        io.ghosthunt.api.status.GhostName.OrphanedPort,
        hunt.getStatus().getNodes().get(0).getFindings().get(0).getGhost());
    assertEquals(
        CheckKey.PORT_OWNER, hunt.getStatus().getNodes().get(0).getFindings().get(0).getCheck());
    assertEquals(YAML.readTree(text), YAML.readTree(serialization.asYaml(hunt)));
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
