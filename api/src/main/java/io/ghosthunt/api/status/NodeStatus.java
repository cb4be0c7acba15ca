package io.ghosthunt.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import java.util.ArrayList;
import java.util.List;

/** One node's entry in status.nodes: its probe's phase and findings. Keyed by node name. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class NodeStatus {

  @Required
  @JsonPropertyDescription("The node's name; the key of this list.")
  private String node;

  @JsonPropertyDescription("Pending, Running, Done, Failed or Unreachable.")
  private NodePhase phase;

  @JsonPropertyDescription("The spec generation this node's probe hunted; older entries are ignored.")
  private Long generation;

  @JsonPropertyDescription("Why the node is Failed or Unreachable, when it is.")
  private String message;

  @JsonPropertyDescription("One finding per check and target.")
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
