package io.ghosthunt.api;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Categories;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;
import io.ghosthunt.api.spec.GhostHuntReportSpec;
import io.ghosthunt.api.status.GhostHuntReportStatus;

/**
 * One node's findings for one generation of a hunt, in the hunt's namespace and owned by it. The
 * operator creates it (spec: which hunt, node and generation); that node's probe writes its status,
 * and may write nothing else (a ValidatingAdmissionPolicy ties the report's node to the node its
 * token was issued for). One small object per node keeps a hunt's cost linear in its nodes.
 */
@Group(GhostHunt.GROUP)
@Version(GhostHunt.VERSION)
@ShortNames("ghr")
// Not in the "ghosthunt" category: that is also the hunts' singular name, which kubectl must keep
// to one kind.
@Categories("diagnostics")
@AdditionalPrinterColumn(
    name = "Hunt",
    jsonPath = ".spec.hunt",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Node",
    jsonPath = ".spec.node",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Pod",
    jsonPath = ".spec.pod",
    type = AdditionalPrinterColumn.Type.STRING,
    priority = 1)
@AdditionalPrinterColumn(
    name = "Verdict",
    jsonPath = ".status.verdict",
    type = AdditionalPrinterColumn.Type.STRING)
@AdditionalPrinterColumn(
    name = "Ghosts",
    jsonPath = ".status.ghosts",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class GhostHuntReport extends CustomResource<GhostHuntReportSpec, GhostHuntReportStatus>
    implements Namespaced {
  public static final String CRD_NAME = "ghosthuntreports." + GhostHunt.GROUP;
  public static final String CRD_FILE = CRD_NAME + "-v1.yml";

  /**
   * The label every report carries with its hunt's name (kubectl get ghr -l
   * ghosthunt.io/hunt=NAME).
   */
  public static final String HUNT_LABEL = "ghosthunt.io/hunt";

  /** The label with the hunt's UID: a hunt's reports, across renames and re-creations. */
  public static final String HUNT_UID_LABEL = "ghosthunt.io/hunt-uid";

  /** The label with the hunt's generation the report belongs to. */
  public static final String GENERATION_LABEL = "ghosthunt.io/generation";

  /** The label naming the probe identity (service account) allowed to write the report's status. */
  public static final String AGENT_LABEL = "ghosthunt.io/agent";

  /**
   * The probe pod whose token may fill the report: its name stands for the hunt, the generation,
   * the scheduled run and the node, so the report policy ties a write to exactly that round.
   */
  public static final String PROBE_LABEL = "ghosthunt.io/probe";
}
