package io.ghosthunt.operator.probes;

import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.api.spec.GhostHuntReportSpec;
import io.ghosthunt.operator.observer.HuntTarget;
import java.util.HashMap;
import java.util.Map;

/**
 * The empty report the operator creates for one node (or one pod, in a pod hunt) before its probe
 * starts: owned by the hunt, labelled with the hunt's name, UID and generation and with the probe
 * identity allowed to fill it.
 */
public final class ReportFactory {

  private ReportFactory() {}

  /**
   * The report of a node, or of a pod (on its node) in a pod hunt.
   *
   * @param run a scheduled hunt's run number, 0 for a hunt without schedule
   */
  public static GhostHuntReport build(GhostHunt hunt, HuntTarget target, int run) {
    String node = target.node();
    Map<String, String> labels = new HashMap<>(Labels.of(hunt, "report"));
    labels.put(Labels.GENERATION, Long.toString(hunt.getMetadata().getGeneration()));
    labels.put(GhostHuntReport.HUNT_LABEL, Labels.huntLabel(hunt));
    if (run > 0) {
      labels.put(Labels.RUN, Integer.toString(run));
    }
    labels.put(GhostHuntReport.AGENT_LABEL, Labels.agentName(hunt));
    labels.put(GhostHuntReport.PROBE_LABEL, Labels.podName(hunt, node, run));
    // kubectl get ghr -l ghosthunt.io/node=NODE; a node name too long for a label value is in the
    // spec only.
    if (node.length() <= 63) {
      labels.put(Labels.NODE, node);
    }
    if (target.pod() != null && target.pod().length() <= 63) {
      labels.put(Labels.POD, target.pod());
    }
    GhostHuntReport report = new GhostHuntReport();
    report.getMetadata().setName(Labels.reportName(hunt, target.key(), run));
    report.getMetadata().setNamespace(hunt.getMetadata().getNamespace());
    report.getMetadata().setLabels(labels);
    report.getMetadata().setOwnerReferences(java.util.List.of(Labels.ownedBy(hunt)));
    report.setSpec(
        new GhostHuntReportSpec(
            hunt.getMetadata().getName(),
            node,
            target.pod(),
            target.podUid(),
            hunt.getMetadata().getGeneration()));
    return report;
  }
}
