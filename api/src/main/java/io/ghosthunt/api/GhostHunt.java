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

  /** The file the CRD generator writes, and its committed copy under crds/. */
  public static final String CRD_FILE = CRD_NAME + "-v1.yml";
}
