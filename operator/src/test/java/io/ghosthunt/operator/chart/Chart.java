package io.ghosthunt.operator.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.ghosthunt.lab.cluster.Binaries;
import io.ghosthunt.lab.cluster.ControlPlane;
import io.ghosthunt.lab.cluster.Helm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The chart in charts/ghosthunt-operator, rendered and linted by the helm CLI built here, offline,
 * for the Kubernetes version of the lab's cluster ({@code --kube-version}: the chart's kubeVersion
 * constraint holds it to that).
 */
final class Chart {
  private Chart() {}

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static Path dir() {
    return ControlPlane.repo().resolve("charts").resolve("ghosthunt-operator");
  }

  /** {@code helm lint --strict}: what it printed; throws when the chart fails. */
  static String lint() {
    return Helm.run(
        "lint", "--strict", dir().toString(), "--kube-version", Binaries.kubernetesVersion());
  }

  /** helm template with {@code --set} overrides, as YAML documents. */
  static List<JsonNode> render(String namespace, Map<String, Object> values) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "template",
                "ghosthunt",
                dir().toString(),
                "--namespace",
                namespace,
                "--kube-version",
                Binaries.kubernetesVersion()));
    args.addAll(Helm.set(new TreeMap<>(values)));
    return documents(Helm.run(args, Duration.ofMinutes(1)));
  }

  static List<JsonNode> documents(String yaml) {
    List<JsonNode> docs = new ArrayList<>();
    try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && !n.isNull() && !n.isEmpty()) {
          docs.add(n);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return docs;
  }

  /** A Helm hook (run at install, upgrade or uninstall), not part of the release's objects. */
  static boolean isHook(JsonNode doc) {
    return doc.path("metadata").path("annotations").has("helm.sh/hook");
  }

  static List<JsonNode> kind(List<JsonNode> docs, String kind) {
    return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
  }

  static JsonNode one(List<JsonNode> docs, String kind, String name) {
    return docs.stream()
        .filter(
            d ->
                kind.equals(d.path("kind").asText())
                    && name.equals(d.path("metadata").path("name").asText()))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError("no " + kind + " " + name + " in the rendered chart"));
  }
}
