package io.ghosthunt.agent.check;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.NodeStatus;
import io.ghosthunt.lab.LabHost;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/** Reads what {@code ghosthunt check -o json} printed. */
public final class Hunts {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Hunts() {}

  public static NodeStatus node(LabHost.Run run) {
    try {
      return JSON.readValue(run.stdout(), NodeStatus.class);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "not a node entry (exit " + run.exitCode() + "):\n" + run.stdout() + run.stderr(), e);
    }
  }

  /**
   * The one finding of {@code check} for {@code target}, failing with the whole output when absent.
   */
  public static Finding finding(LabHost.Run run, CheckKey check, String target) {
    List<Finding> found =
        node(run).getFindings().stream()
            .filter(f -> f.getCheck() == check && target.equals(f.getTarget()))
            .toList();
    if (found.size() != 1) {
      throw new AssertionError(
          "expected one "
              + check
              + " finding for "
              + target
              + " in:\n"
              + run.stdout()
              + run.stderr());
    }
    return found.get(0);
  }

  /** A hunt document with the given spec body (YAML, indented by two spaces). */
  public static String hunt(String name, String specYaml) {
    return "apiVersion: ghosthunt.io/v1alpha1\nkind: GhostHunt\nmetadata:\n  name: "
        + name
        + "\nspec:\n"
        + specYaml.stripIndent().lines().map(l -> "  " + l).reduce("", (a, b) -> a + b + "\n");
  }
}
