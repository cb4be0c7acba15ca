package io.ghosthunt.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** What to hunt, where, and for how long. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!(has(self.nodes) && has(self.pods))",
    message = "spec.nodes and spec.pods exclude each other: a hunt runs on nodes or inside pods")
@ValidationRule(
    value =
        "has(self.target) || has(self.checks)"
            + " || (has(self.symptom) && self.symptom == 'IntermittentDropouts')",
    message =
        "nothing to check: set spec.target (a URL or host[:port]) or name at least one check in spec.checks")
public class GhostHuntSpec {

  public static final int DEFAULT_TIMEOUT_SECONDS = 120;

  @JsonPropertyDescription(
      "Shorthand: one http(s) URL or host[:port] from which every check derives its inputs"
          + " (the port, the host name, the URL, the host's addresses).")
  @Size(max = 2048)
  @ValidationRule(
      value = "self.matches(r'" + Patterns.TARGET_ANCHORED + "')",
      message = "target must be an http(s) URL or host[:port], e.g. https://app.example.com:8443/health")
  private String target;

  @JsonPropertyDescription(
      "What users report; narrows the checks derived from spec.target to those that explain it."
          + " Checks named in spec.checks always run.")
  private Symptom symptom;

  @JsonPropertyDescription("Nodes to hunt on. Default: every Linux node.")
  private NodeSelection nodes;

  @JsonPropertyDescription(
      "Pods of this namespace to hunt inside (their own network namespace), instead of nodes."
          + " Excludes spec.nodes.")
  private PodSelection pods;

  @JsonPropertyDescription("Explicit inputs per check; they override what spec.target derives.")
  private ChecksSpec checks;

  @JsonPropertyDescription("Upper bound for the whole hunt, in seconds (1-3600). Default 120.")
  @Min(1)
  @Max(3600)
  private Integer timeoutSeconds;

  public String getTarget() {
    return target;
  }

  public void setTarget(String target) {
    this.target = target;
  }

  public Symptom getSymptom() {
    return symptom;
  }

  public void setSymptom(Symptom symptom) {
    this.symptom = symptom;
  }

  public NodeSelection getNodes() {
    return nodes;
  }

  public void setNodes(NodeSelection nodes) {
    this.nodes = nodes;
  }

  public PodSelection getPods() {
    return pods;
  }

  public void setPods(PodSelection pods) {
    this.pods = pods;
  }

  public ChecksSpec getChecks() {
    return checks;
  }

  public void setChecks(ChecksSpec checks) {
    this.checks = checks;
  }

  public Integer getTimeoutSeconds() {
    return timeoutSeconds;
  }

  public void setTimeoutSeconds(Integer timeoutSeconds) {
    this.timeoutSeconds = timeoutSeconds;
  }

  /** The effective timeout: the spec's, or the default. */
  public int timeoutSecondsOrDefault() {
    return timeoutSeconds == null ? DEFAULT_TIMEOUT_SECONDS : timeoutSeconds;
  }
}
