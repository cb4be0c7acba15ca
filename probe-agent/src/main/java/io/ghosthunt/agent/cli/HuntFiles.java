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
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Reads a GhostHunt document from a file, stdin or the classpath, with errors that name the field.
 */
public final class HuntFiles {

  public static final String DEFAULT_HUNT = "tuesday-possession.yaml";

  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

  private HuntFiles() {}

  public static GhostHunt read(String file) throws UsageException {
    String text;
    try {
      text =
          "-".equals(file)
              ? new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
              : Files.readString(Path.of(file));
    } catch (NoSuchFileException e) {
      throw new UsageException("no such file: " + file);
    } catch (IOException e) {
      throw new UsageException("cannot read " + file + ": " + e.getMessage());
    }
    return parse(text, "-".equals(file) ? "stdin" : file);
  }

  public static GhostHunt embeddedDefault() throws UsageException {
    try (InputStream in =
        HuntFiles.class.getResourceAsStream("/io/ghosthunt/agent/" + DEFAULT_HUNT)) {
      return parse(
          new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8),
          "(embedded " + DEFAULT_HUNT + ")");
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("the embedded default hunt is missing from this build", e);
    }
  }

  public static GhostHunt parse(String text, String source) throws UsageException {
    try {
      JsonNode doc = YAML.readTree(text);
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
      return YAML.treeToValue(doc, GhostHunt.class);
    } catch (UnrecognizedPropertyException e) {
      throw new UsageException(
          source
              + ": "
              + path(e)
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
          source + ": " + path(e) + ": '" + e.getValue() + "' is not valid" + allowed);
    } catch (JsonMappingException e) {
      throw new UsageException(source + ": " + path(e) + ": " + e.getOriginalMessage());
    } catch (JsonProcessingException e) {
      throw new UsageException(
          source
              + ": not valid YAML: "
              + e.getOriginalMessage()
              + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()));
    }
  }

  private static String path(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
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
