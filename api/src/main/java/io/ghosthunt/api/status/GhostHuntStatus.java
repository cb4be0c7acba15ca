package io.ghosthunt.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.Condition;
import io.ghosthunt.api.GhostHunt;
import java.util.List;

/** What the hunt found, aggregated over its nodes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GhostHuntStatus {

  @JsonPropertyDescription("The spec generation this status describes.")
  private Long observedGeneration;

  @JsonPropertyDescription("Pending, Running, Complete or Failed.")
  private HuntPhase phase;

  @JsonPropertyDescription(
      "When the hunt of this generation started (RFC 3339); spec.timeoutSeconds counts from here.")
  private String startedAt;

  @JsonPropertyDescription(
      "When this generation or run was seen, its probes created, the last probe's process started,"
          + " the last report written and the hunt found complete, to the millisecond.")
  private HuntTimeline timeline;

  @JsonPropertyDescription("Clear, Haunted or Inconclusive, once the hunt is complete.")
  private HuntVerdict verdict;

  @JsonPropertyDescription("How many findings are ghosts, over all nodes.")
  private Integer ghosts;

  @JsonPropertyDescription("Nodes done out of nodes targeted, e.g. 2/3.")
  private String progress;

  @JsonPropertyDescription("One line: the worst ghost first, with its node and evidence.")
  private String summary;

  @JsonPropertyDescription(
      "Findings per check over all nodes, so that a hunt over many nodes reads at a glance.")
  private List<CheckCount> checks;

  @JsonPropertyDescription(
      "The nodes where a ghost was found (at most 50, by name), before the per-node entries.")
  private List<String> hauntedNodes;

  @JsonPropertyDescription("Complete and GhostFound, in the metav1.Condition shape.")
  private List<Condition> conditions;

  @JsonPropertyDescription("One entry per targeted node, written by that node's probe.")
  private List<NodeStatus> nodes;

  @JsonPropertyDescription("With spec.schedule: the number of the current (or latest) run, from 1.")
  private Integer run;

  @JsonPropertyDescription("With spec.schedule: the schedule time of the current (or latest) run.")
  private String lastRunAt;

  @JsonPropertyDescription("With spec.schedule: the next schedule time (absent while suspended).")
  private String nextRunAt;

  @JsonPropertyDescription(
      "With spec.schedule: the latest schedule time dealt with, run or skipped; the schedule goes on from here.")
  private String lastScheduledAt;

  @JsonPropertyDescription(
      "With spec.schedule: schedule times skipped because the previous run was still going.")
  private Integer skippedRuns;

  @JsonPropertyDescription(
      "With spec.schedule: the value of the annotation ghosthunt.io/run-now whose run was started"
          + " (a new value starts a run now).")
  @Size(max = GhostHunt.RUN_NOW_KEPT)
  private String lastHandledRunNow;

  @JsonPropertyDescription("With spec.schedule: the last runs (spec.historyLimit), newest first.")
  private List<RunSummary> runs;

  @JsonPropertyDescription(
      "With spec.schedule: what the latest run found different from the one before.")
  private RunChanges changes;

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public HuntPhase getPhase() {
    return phase;
  }

  public void setPhase(HuntPhase phase) {
    this.phase = phase;
  }

  public String getStartedAt() {
    return startedAt;
  }

  public void setStartedAt(String startedAt) {
    this.startedAt = startedAt;
  }

  public HuntTimeline getTimeline() {
    return timeline;
  }

  public void setTimeline(HuntTimeline timeline) {
    this.timeline = timeline;
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

  public String getProgress() {
    return progress;
  }

  public void setProgress(String progress) {
    this.progress = progress;
  }

  public String getSummary() {
    return summary;
  }

  public void setSummary(String summary) {
    this.summary = summary;
  }

  public List<CheckCount> getChecks() {
    return checks;
  }

  public void setChecks(List<CheckCount> checks) {
    this.checks = checks;
  }

  public List<String> getHauntedNodes() {
    return hauntedNodes;
  }

  public void setHauntedNodes(List<String> hauntedNodes) {
    this.hauntedNodes = hauntedNodes;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }

  public List<NodeStatus> getNodes() {
    return nodes;
  }

  public void setNodes(List<NodeStatus> nodes) {
    this.nodes = nodes;
  }

  public Integer getRun() {
    return run;
  }

  public void setRun(Integer run) {
    this.run = run;
  }

  public String getLastRunAt() {
    return lastRunAt;
  }

  public void setLastRunAt(String lastRunAt) {
    this.lastRunAt = lastRunAt;
  }

  public String getNextRunAt() {
    return nextRunAt;
  }

  public void setNextRunAt(String nextRunAt) {
    this.nextRunAt = nextRunAt;
  }

  public String getLastScheduledAt() {
    return lastScheduledAt;
  }

  public void setLastScheduledAt(String lastScheduledAt) {
    this.lastScheduledAt = lastScheduledAt;
  }

  public Integer getSkippedRuns() {
    return skippedRuns;
  }

  public void setSkippedRuns(Integer skippedRuns) {
    this.skippedRuns = skippedRuns;
  }

  public String getLastHandledRunNow() {
    return lastHandledRunNow;
  }

  public void setLastHandledRunNow(String lastHandledRunNow) {
    this.lastHandledRunNow = lastHandledRunNow;
  }

  public List<RunSummary> getRuns() {
    return runs;
  }

  public void setRuns(List<RunSummary> runs) {
    this.runs = runs;
  }

  public RunChanges getChanges() {
    return changes;
  }

  public void setChanges(RunChanges changes) {
    this.changes = changes;
  }
}
