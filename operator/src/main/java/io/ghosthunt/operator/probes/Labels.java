package io.ghosthunt.operator.probes;

import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/** Names, labels and annotations that tie probe objects to their hunt. */
public final class Labels {

  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String OPERATOR = "ghosthunt-operator";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String HUNT_UID = GhostHuntReport.HUNT_UID_LABEL;
  public static final String GENERATION = GhostHuntReport.GENERATION_LABEL;
  public static final String HUNT_NAME = "ghosthunt.io/hunt-name";
  public static final String HUNT_NAMESPACE = "ghosthunt.io/hunt-namespace";
  public static final String NODE = "ghosthunt.io/node";
  public static final String POD = "ghosthunt.io/pod";

  /** A scheduled hunt's run number on its pods and reports (absent for a hunt without schedule). */
  public static final String RUN = "ghosthunt.io/run";

  private Labels() {}

  public static Map<String, String> of(GhostHunt hunt, String component) {
    return Map.of(
        MANAGED_BY, OPERATOR, COMPONENT, component, HUNT_UID, hunt.getMetadata().getUid());
  }

  /** Hunt names may be longer than a label value (63): the name rides in annotations. */
  public static Map<String, String> huntAnnotations(GhostHunt hunt) {
    return Map.of(
        HUNT_NAME, hunt.getMetadata().getName(), HUNT_NAMESPACE, hunt.getMetadata().getNamespace());
  }

  /**
   * A stable short hash, so that names stay within 63 characters and never collide across hunts.
   */
  private static String hash(String... parts) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String p : parts) {
        sha.update(p.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return HexFormat.of().formatHex(sha.digest(), 0, 5);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String prefix(String name, int max) {
    String p = name.length() <= max ? name : name.substring(0, max);
    return p.endsWith("-") || p.endsWith(".") ? p.substring(0, p.length() - 1) : p;
  }

  /** A node's probe of one generation and (for a scheduled hunt) one run. */
  public static String podName(GhostHunt hunt, String node, int run) {
    return "gh-"
        + prefix(hunt.getMetadata().getName(), 40)
        + "-"
        + hash(hunt.getMetadata().getUid(), round(hunt, run), node);
  }

  /**
   * The generation, and a scheduled hunt's run: what makes names of one round differ from the next.
   */
  private static String round(GhostHunt hunt, int run) {
    long gen = hunt.getMetadata().getGeneration();
    return run > 0 ? gen + "." + run : Long.toString(gen);
  }

  /**
   * One node's (or, by {@code pod/NAME}, one pod's) report of one generation: deterministic, so a
   * restarted operator finds it again.
   */
  public static String reportName(GhostHunt hunt, String key, int run) {
    return prefix(hunt.getMetadata().getName(), 50)
        + "-"
        + hash(hunt.getMetadata().getUid(), round(hunt, run), key);
  }

  /** The hunt's name as a label value (at most 63 characters; the report's spec holds it whole). */
  public static String huntLabel(GhostHunt hunt) {
    return prefix(hunt.getMetadata().getName(), 63);
  }

  public static String agentName(GhostHunt hunt) {
    return "ghosthunt-agent-" + hash(hunt.getMetadata().getUid());
  }

  /**
   * The hunt as the owner of what the operator makes for it in its namespace (reports, the agent's
   * Role and RoleBinding, its OpenReports Report): should no operator be left to remove them, the
   * garbage collector does when the hunt goes. No blockOwnerDeletion, which would need a right on
   * the hunt's finalizers.
   */
  public static io.fabric8.kubernetes.api.model.OwnerReference ownedBy(GhostHunt hunt) {
    return new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
        .withApiVersion(hunt.getApiVersion())
        .withKind(hunt.getKind())
        .withName(hunt.getMetadata().getName())
        .withUid(hunt.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(false)
        .build();
  }
}
