package io.ghosthunt.agent.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.spec.GhostHuntSpec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Reads a GhostHunt document from a file, stdin or the classpath, with errors that name the field.
 */
public final class HuntFiles {

  public static final String DEFAULT_HUNT = "tuesday-possession.yaml";

  /** How errors name the embedded default hunt. */
  public static final String EMBEDDED = "(embedded " + DEFAULT_HUNT + ")";

  /** Top-level fields of a GhostHunt document, for the local read that binds only its spec. */
  private static final Set<String> DOCUMENT_FIELDS =
      Set.of("apiVersion", "kind", "metadata", "spec", "status");

  /**
   * What {@code ghosthunt check} needs of a hunt: its name and spec. Binding only these leaves out
   * the custom resource's metadata and status classes, a good part of a cold JVM's parse.
   */
  public record LocalHunt(String name, GhostHuntSpec spec) {}

  /**
   * Created on first parse, not with this class: a mapper costs a cold JVM ~50 ms, and reading the
   * file's text comes first so that checks can start reading the host meanwhile.
   */
  private static final class Mapper {
    static final ObjectMapper YAML =
        new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
  }

  private HuntFiles() {}

  public static GhostHunt read(String file) throws UsageException {
    return parse(text(file), source(file));
  }

  /** The text of a hunt file, or of stdin for {@code -}. */
  public static String text(String file) throws UsageException {
    try {
      return "-".equals(file)
          ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
          : Files.readString(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new UsageException("no such file: " + file);
    } catch (IOException e) {
      throw new UsageException("cannot read " + file + ": " + e.getMessage());
    }
  }

  /** How errors name a hunt file. */
  public static String source(String file) {
    return "-".equals(file) ? "stdin" : file;
  }

  public static GhostHunt embeddedDefault() throws UsageException {
    return parse(embeddedDefaultText(), EMBEDDED);
  }

  public static String embeddedDefaultText() {
    try (InputStream in =
        HuntFiles.class.getResourceAsStream("/io/ghosthunt/agent/" + DEFAULT_HUNT)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("the embedded default hunt is missing from this build", e);
    }
  }

  /** The whole GhostHunt document, as it would be applied to a cluster. */
  public static GhostHunt parse(String text, String source) throws UsageException {
    JsonNode doc = document(text, source);
    return bind(source, "", () -> Mapper.YAML.treeToValue(doc, GhostHunt.class));
  }

  /** The name and spec of a GhostHunt document, for a hunt run on this machine. */
  public static LocalHunt parseLocal(String text, String source) throws UsageException {
    JsonNode doc = document(text, source);
    for (String field : (Iterable<String>) doc::fieldNames) {
      if (!DOCUMENT_FIELDS.contains(field)) {
        throw new UsageException(
            source
                + ": unknown field '"
                + field
                + "'; known: "
                + DOCUMENT_FIELDS.stream().sorted().collect(Collectors.joining(", ")));
      }
    }
    JsonNode name = doc.path("metadata").path("name");
    GhostHuntSpec spec =
        bind(source, "spec", () -> Mapper.YAML.treeToValue(doc.get("spec"), GhostHuntSpec.class));
    return new LocalHunt(name.isTextual() ? name.asText() : null, spec);
  }

  /** The YAML tree of a GhostHunt document, its apiVersion, kind and spec checked. */
  private static JsonNode document(String text, String source) throws UsageException {
    JsonNode doc;
    try {
      doc = Mapper.YAML.readTree(text);
    } catch (JsonProcessingException e) {
      throw new UsageException(
          source
              + ": not valid YAML: "
              + e.getOriginalMessage()
              + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()));
    }
    if (doc == null || !doc.isObject()) {
      throw new UsageException(source + ": not a YAML document with a GhostHunt");
    }
    String kind = doc.path("kind").asText("");
    String apiVersion = doc.path("apiVersion").asText("");
    if (!"GhostHunt".equals(kind)
        || !(GhostHunt.GROUP + "/" + GhostHunt.VERSION).equals(apiVersion)) {
      throw new UsageException(
          source
              + ": expected apiVersion "
              + GhostHunt.GROUP
              + "/"
              + GhostHunt.VERSION
              + " and kind GhostHunt, found "
              + (apiVersion.isEmpty() ? "no apiVersion" : apiVersion)
              + " and "
              + (kind.isEmpty() ? "no kind" : kind));
    }
    if (!doc.has("spec")) {
      throw new UsageException(source + ": the GhostHunt has no spec");
    }
    return doc;
  }

  private interface Binding<T> {
    T bind() throws JsonProcessingException;
  }

  /** Binds part of a document, with errors naming the field from {@code prefix} (its path) on. */
  private static <T> T bind(String source, String prefix, Binding<T> binding)
      throws UsageException {
    try {
      return binding.bind();
    } catch (UnrecognizedPropertyException e) {
      throw new UsageException(
          source
              + ": "
              + path(prefix, e)
              + ": unknown field '"
              + e.getPropertyName()
              + "'; known: "
              + e.getKnownPropertyIds().stream()
                  .map(String::valueOf)
                  .sorted()
                  .collect(Collectors.joining(", ")));
    } catch (InvalidFormatException e) {
      String allowed =
          e.getTargetType().isEnum()
              ? "; one of "
                  + Arrays.stream(e.getTargetType().getEnumConstants())
                      .map(String::valueOf)
                      .collect(Collectors.joining(", "))
              : " (expected " + e.getTargetType().getSimpleName() + ")";
      throw new UsageException(
          source + ": " + path(prefix, e) + ": '" + e.getValue() + "' is not valid" + allowed);
    } catch (JsonMappingException e) {
      throw new UsageException(source + ": " + path(prefix, e) + ": " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new UsageException(source + ": " + e.getOriginalMessage());
    }
  }

  private static String path(String prefix, JsonMappingException e) {
    StringBuilder b = new StringBuilder(prefix);
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (b.length() > 0) {
          b.append('.');
        }
        b.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.length() == 0 ? "document" : b.toString();
  }
}
