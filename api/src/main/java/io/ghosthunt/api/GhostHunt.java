package io.ghosthunt.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.ghosthunt.api.spec.GhostHuntSpec;
import io.ghosthunt.api.status.GhostHuntStatus;
import java.util.Map;

/** A declarative hunt for the seven classic network ghosts on a set of nodes. */
@Group(GhostHunt.GROUP)
@Version(GhostHunt.VERSION)
@ShortNames("gh")
@Categories({"ghosthunt", "diagnostics"})
@AdditionalPrinterColumn(
    name = "Phase",
    jsonPath = ".status.phase",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Verdict",
    jsonPath = ".status.verdict",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Ghosts",
    jsonPath = ".status.ghosts",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Nodes",
    jsonPath = ".status.progress",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Last Run",
    jsonPath = ".status.lastRunAt",
    type = AdditionalPrinterColumn.Type.DATE)
@AdditionalPrinterColumn(
    name = "Next",
    jsonPath = ".status.nextRunAt",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class GhostHunt extends CustomResource<GhostHuntSpec, GhostHuntStatus>
    implements Namespaced {
  public static final String GROUP = "ghosthunt.io";
  public static final String VERSION = "v1alpha1";
  public static final String CRD_NAME = "ghosthunts." + GROUP;

  /**
   * Starts a run of a scheduled hunt now, whatever its schedule says: any value the hunt has not
   * handled yet (by convention the time, as {@code kubectl annotate ... --overwrite} would set it),
   * as Flux's reconcile.fluxcd.io/requestedAt. Handled once; the value is kept in
   * status.lastHandledRunNow.
   */
  public static final String RUN_NOW = GROUP + "/run-now";

  /** How much of a run-now value the status keeps and compares: an annotation may be far longer. */
  public static final int RUN_NOW_KEPT = 256;

  /** The hunt's {@link #RUN_NOW} annotation as it stands, handled or not; null without one. */
  public static String runNow(GhostHunt hunt) {
    Map<String, String> annotations = hunt.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(RUN_NOW);
  }

  /** The run-now value this hunt asks for and has not handled yet, or null. */
  public static String pendingRunNow(GhostHunt hunt) {
    String value = runNow(hunt);
    if (value == null || value.isBlank()) {
      return null;
    }
    String kept = value;
    if (value.length() > RUN_NOW_KEPT) {
      // Cut where a character ends: half of a surrogate pair is no text the status could hold.
      int end =
          Character.isHighSurrogate(value.charAt(RUN_NOW_KEPT - 1))
              ? RUN_NOW_KEPT - 1
              : RUN_NOW_KEPT;
      kept = value.substring(0, end);
    }
    String handled = hunt.getStatus() == null ? null : hunt.getStatus().getLastHandledRunNow();
    return kept.equals(handled) ? null : kept;
  }

  /** The file the CRD generator writes, and its committed copy under crds/. */
  public static final String CRD_FILE = CRD_NAME + "-v1.yml";
}
