package io.ghosthunt.api.status;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** What the node's probe found: written by the probe, read by the operator. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GhostHuntReportStatus {

  @JsonPropertyDescription(
      "Done when the checks ran (whatever they found), Failed when the hunt could not run.")
  private NodePhase phase;

  @JsonPropertyDescription("Clear, Haunted or Inconclusive, over this node's findings.")
  private HuntVerdict verdict;

  @JsonPropertyDescription("How many findings are ghosts.")
  @Min(0)
  @Max(ReportBounds.MAX_FINDINGS)
  private Integer ghosts;

  @JsonPropertyDescription("Why the probe could not hunt, when it could not.")
  @Size(max = ReportBounds.MAX_MESSAGE)
  private String message;

  @JsonPropertyDescription(
      "One finding per check and target; Clear ones keep check, target and verdict only.")
  // The rule on the text of all findings together is CrdWriter's (this CRD's only).
  @Size(max = ReportBounds.MAX_FINDINGS)
  private List<Finding> findings;

  @JsonPropertyDescription("When the probe wrote this report.")
  @Size(max = ReportBounds.MAX_TIME)
  private String finishedAt;

  @JsonPropertyDescription(
      "When the probe's process started and its checks began and ended, to the millisecond (the"
          + " node's clock): with finishedAt, where a slow probe spent its time.")
  private ProbeTimeline timeline;

  public GhostHuntReportStatus() {}

  /**
   * The report of a node's entry: phase, message and findings, with its verdict and ghost count.
   */
  public static GhostHuntReportStatus of(NodeStatus entry, String finishedAt) {
    GhostHuntReportStatus s = new GhostHuntReportStatus();
    s.phase = entry.getPhase();
    s.message = entry.getMessage();
    s.findings = entry.getFindings();
    List<Finding> findings = entry.getFindings() == null ? List.of() : entry.getFindings();
    s.verdict =
        entry.getPhase() == NodePhase.Done ? HuntVerdict.of(findings) : HuntVerdict.Inconclusive;
    s.ghosts = (int) findings.stream().filter(Finding::isGhost).count();
    s.finishedAt = finishedAt;
    return s;
  }

  /** This report as the node's entry of an aggregate. */
  @JsonIgnore
  public NodeStatus toNodeStatus(String node, String pod, long generation) {
    NodeStatus n = new NodeStatus(node, phase);
    n.setPod(pod);
    n.setGeneration(generation);
    n.setMessage(message);
    if (findings != null) {
      findings.forEach(n::addFinding);
    }
    return n;
  }

  public NodePhase getPhase() {
    return phase;
  }

  public void setPhase(NodePhase phase) {
    this.phase = phase;
  }

  public HuntVerdict getVerdict() {
    return verdict;
  }

  public void setVerdict(HuntVerdict verdict) {
    this.verdict = verdict;
  }

  public Integer getGhosts() {
    return ghosts;
  }

  public void setGhosts(Integer ghosts) {
    this.ghosts = ghosts;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public List<Finding> getFindings() {
    return findings;
  }

  public void setFindings(List<Finding> findings) {
    this.findings = findings;
  }

  public String getFinishedAt() {
    return finishedAt;
  }

  public void setFinishedAt(String finishedAt) {
    this.finishedAt = finishedAt;
  }

  public ProbeTimeline getTimeline() {
    return timeline;
  }

  public void setTimeline(ProbeTimeline timeline) {
    this.timeline = timeline;
  }
}
