package io.ghosthunt.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.ghosthunt.api.status.ReportBounds;

/** Whose report this is: set by the operator when it creates the report, never changed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GhostHuntReportSpec {

  @Required
  @JsonPropertyDescription("The GhostHunt (same namespace) this report belongs to.")
  @Size(max = ReportBounds.MAX_NAME)
  private String hunt;

  @Required
  @JsonPropertyDescription("The node whose probe writes this report.")
  @Size(max = ReportBounds.MAX_NAME)
  private String node;

  @JsonPropertyDescription(
      "In a pod hunt: the pod (hunt's namespace) whose network namespace the probe hunts in.")
  @Size(max = ReportBounds.MAX_NAME)
  private String pod;

  @JsonPropertyDescription(
      "In a pod hunt: the pod's UID, so that a new pod of the same name is not mistaken for it.")
  @Size(max = ReportBounds.MAX_UID)
  private String podUid;

  @Required
  @JsonPropertyDescription("The hunt's spec generation the probe hunts.")
  private Long generation;

  public GhostHuntReportSpec() {}

  public GhostHuntReportSpec(String hunt, String node, long generation) {
    this.hunt = hunt;
    this.node = node;
    this.generation = generation;
  }

  public String getHunt() {
    return hunt;
  }

  public void setHunt(String hunt) {
    this.hunt = hunt;
  }

  public String getNode() {
    return node;
  }

  public void setNode(String node) {
    this.node = node;
  }

  public GhostHuntReportSpec(String hunt, String node, String pod, String podUid, long generation) {
    this(hunt, node, generation);
    this.pod = pod;
    this.podUid = podUid;
  }

  /** The entry this report fills: the node, or {@code pod/NAME}. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public String key() {
    return pod == null ? node : "pod/" + pod;
  }

  public String getPod() {
    return pod;
  }

  public void setPod(String pod) {
    this.pod = pod;
  }

  public String getPodUid() {
    return podUid;
  }

  public void setPodUid(String podUid) {
    this.podUid = podUid;
  }

  public Long getGeneration() {
    return generation;
  }

  public void setGeneration(Long generation) {
    this.generation = generation;
  }
}
