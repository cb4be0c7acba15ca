package io.ghosthunt.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** Whose report this is: set by the operator when it creates the report, never changed. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GhostHuntReportSpec {

  @Required
  @JsonPropertyDescription("The GhostHunt (same namespace) this report belongs to.")
  private String hunt;

  @Required
  @JsonPropertyDescription("The node whose probe writes this report.")
  private String node;

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

  public Long getGeneration() {
    return generation;
  }

  public void setGeneration(Long generation) {
    this.generation = generation;
  }
}
