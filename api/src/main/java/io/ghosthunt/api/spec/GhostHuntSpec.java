package io.ghosthunt.api.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
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
      message =
          "target must be an http(s) URL or host[:port], e.g. https://app.example.com:8443/health")
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

  @JsonPropertyDescription(
      "Repeat the hunt on this schedule, in cron syntax as a CronJob takes it (five fields or a nickname"
          + " such as @hourly, UTC). Each run hunts afresh; the status keeps the last runs and what changed.")
  @Size(max = 100)
  @Pattern("^(@(yearly|annually|monthly|weekly|daily|midnight|hourly)|\\S+( \\S+){4})$")
  private String schedule;

  @JsonPropertyDescription(
      "With spec.schedule: start no new run while true (a run in progress completes).")
  private Boolean suspend;

  @JsonPropertyDescription(
      "With spec.schedule: how many runs' summaries the status keeps (1-20). Default 3.")
  @Min(1)
  @Max(20)
  private Integer historyLimit;

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

  public String getSchedule() {
    return schedule;
  }

  public void setSchedule(String schedule) {
    this.schedule = schedule;
  }

  public Boolean getSuspend() {
    return suspend;
  }

  public void setSuspend(Boolean suspend) {
    this.suspend = suspend;
  }

  public Integer getHistoryLimit() {
    return historyLimit;
  }

  public void setHistoryLimit(Integer historyLimit) {
    this.historyLimit = historyLimit;
  }

  /** The runs kept: the spec's, or 3. */
  public int historyLimitOrDefault() {
    return historyLimit == null ? 3 : historyLimit;
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
