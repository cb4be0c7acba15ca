package io.ghosthunt.operator.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.ghosthunt.lab.cluster.ControlPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The chart in charts/ghosthunt-operator, rendered by Helm itself (helm-java carries it natively).
 */
final class Chart {
  private Chart() {}

  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  static Path dir() {
    return ControlPlane.repo().resolve("charts").resolve("ghosthunt-operator");
  }

  static Helm helm() {
    return new Helm(dir());
  }

  /** helm template with {@code --set} overrides, as YAML documents. */
  static List<JsonNode> render(String namespace, Map<String, Object> values) {
    TemplateCommand t = helm().template().withName("ghosthunt").withNamespace(namespace);
    values.forEach(t::set);
    return documents(t.call());
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
