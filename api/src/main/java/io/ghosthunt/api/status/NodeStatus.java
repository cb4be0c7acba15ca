package io.ghosthunt.api.status;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.List;

/**
 * One entry of status.nodes: a node's probe's phase and findings, or, in a pod hunt, one pod's (on
 * its node).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeStatus {

  @Required
  @JsonPropertyDescription("The node's name (in a pod hunt: the node the pod runs on).")
  @Size(max = ReportBounds.MAX_NAME)
  private String node;

  @JsonPropertyDescription("In a pod hunt: the pod the checks ran inside, in the hunt's namespace.")
  @Size(max = ReportBounds.MAX_NAME)
  private String pod;

  @JsonPropertyDescription("Pending, Running, Done, Failed or Unreachable.")
  private NodePhase phase;

  @JsonPropertyDescription(
      "The spec generation this node's probe hunted; older entries are ignored.")
  private Long generation;

  @JsonPropertyDescription("Why the node is Failed or Unreachable, when it is.")
  @Size(max = ReportBounds.MAX_MESSAGE)
  private String message;

  @JsonPropertyDescription("One finding per check and target.")
  @Size(max = ReportBounds.MAX_FINDINGS)
  private List<Finding> findings;

  public NodeStatus() {}

  public NodeStatus(String node, NodePhase phase) {
    this.node = node;
    this.phase = phase;
  }

  public NodeStatus addFinding(Finding finding) {
    if (findings == null) {
      findings = new ArrayList<>();
    }
    findings.add(finding);
    return this;
  }

  public String getNode() {
    return node;
  }

  public void setNode(String node) {
    this.node = node;
  }

  public String getPod() {
    return pod;
  }

  public void setPod(String pod) {
    this.pod = pod;
  }

  /**
   * Stands for the node of a pod that never had one (not scheduled): the node field is required.
   */
  public static final String NO_NODE = "-";

  /** What people call this entry: {@code node-a}, or {@code pod/web-1 on node-a}. */
  @JsonIgnore
  public String subject() {
    return pod == null
        ? node
        : "pod/" + pod + (node == null || NO_NODE.equals(node) ? "" : " on " + node);
  }

  /** Unique among a hunt's entries: the node, or {@code pod/NAME}. */
  @JsonIgnore
  public String key() {
    return pod == null ? node : "pod/" + pod;
  }

  public NodePhase getPhase() {
    return phase;
  }

  public void setPhase(NodePhase phase) {
    this.phase = phase;
  }

  public Long getGeneration() {
    return generation;
  }

  public void setGeneration(Long generation) {
    this.generation = generation;
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
}
