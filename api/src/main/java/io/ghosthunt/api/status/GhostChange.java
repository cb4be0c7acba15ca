package io.ghosthunt.api.status;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.ghosthunt.api.CheckKey;
import java.util.Map;
import java.util.Objects;

/**
 * One ghost of a run: where, which check, which target; with its evidence when it just appeared.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GhostChange {

  @JsonPropertyDescription("The node.")
  private String node;

  @JsonPropertyDescription("In a pod hunt, the pod.")
  private String pod;

  @JsonPropertyDescription("The check that found it.")
  private CheckKey check;

  @JsonPropertyDescription("The check's target.")
  private String target;

  @JsonPropertyDescription("The ghost.")
  private GhostName ghost;

  @JsonPropertyDescription("For a ghost that appeared: the finding's summary.")
  private String summary;

  @JsonPropertyDescription("For a ghost that appeared: the finding's evidence.")
  private Map<String, String> evidence;

  public GhostChange() {}

  /** The ghost of a finding in an entry, without summary and evidence. */
  public static GhostChange of(NodeStatus entry, Finding f) {
    GhostChange c = new GhostChange();
    c.node = entry.getNode();
    c.pod = entry.getPod();
    c.check = f.getCheck();
    c.target = f.getTarget();
    c.ghost = f.getGhost();
    return c;
  }

  /** Same ghost, same place: what two runs are compared by. */
  @JsonIgnore
  public String identity() {
    return node + "|" + pod + "|" + check + "|" + target + "|" + ghost;
  }

  /**
   * "node-a portOwner tcp/8080 OrphanedPort", "pod/web-1 on node-c mtu 203.0.113.10 MtuBlackhole".
   */
  @JsonIgnore
  public String describe() {
    return (pod == null ? node : "pod/" + pod + " on " + node)
        + " "
        + (check == null ? "?" : check.key())
        + " "
        + target
        + " "
        + ghost;
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

  public CheckKey getCheck() {
    return check;
  }

  public void setCheck(CheckKey check) {
    this.check = check;
  }

  public String getTarget() {
    return target;
  }

  public void setTarget(String target) {
    this.target = target;
  }

  public GhostName getGhost() {
    return ghost;
  }

  public void setGhost(GhostName ghost) {
    this.ghost = ghost;
  }

  public String getSummary() {
    return summary;
  }

  public void setSummary(String summary) {
    this.summary = summary;
  }

  public Map<String, String> getEvidence() {
    return evidence;
  }

  public void setEvidence(Map<String, String> evidence) {
    this.evidence = evidence;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GhostChange c
        && identity().equals(c.identity())
        && Objects.equals(summary, c.summary)
        && Objects.equals(evidence, c.evidence);
  }

  @Override
  public int hashCode() {
    return identity().hashCode();
  }
}
