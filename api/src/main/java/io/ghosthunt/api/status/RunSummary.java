package io.ghosthunt.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Objects;

/**
 * One completed run of a scheduled hunt: when, the verdict, and its ghosts (what the next run is
 * compared with).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RunSummary {

  @JsonPropertyDescription("The run's number, counting from 1.")
  private Integer run;

  @JsonPropertyDescription("The schedule time the run was for (RFC 3339).")
  private String scheduledAt;

  @JsonPropertyDescription("When it completed.")
  private String finishedAt;

  @JsonPropertyDescription("Clear, Haunted or Inconclusive.")
  private HuntVerdict verdict;

  @JsonPropertyDescription("How many ghosts it found.")
  private Integer ghosts;

  @JsonPropertyDescription("Its ghosts (at most 100), without evidence.")
  private List<GhostChange> found;

  public Integer getRun() {
    return run;
  }

  public void setRun(Integer run) {
    this.run = run;
  }

  public String getScheduledAt() {
    return scheduledAt;
  }

  public void setScheduledAt(String scheduledAt) {
    this.scheduledAt = scheduledAt;
  }

  public String getFinishedAt() {
    return finishedAt;
  }

  public void setFinishedAt(String finishedAt) {
    this.finishedAt = finishedAt;
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

  public List<GhostChange> getFound() {
    return found;
  }

  public void setFound(List<GhostChange> found) {
    this.found = found;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RunSummary r
        && Objects.equals(run, r.run)
        && Objects.equals(scheduledAt, r.scheduledAt)
        && Objects.equals(finishedAt, r.finishedAt)
        && verdict == r.verdict
        && Objects.equals(ghosts, r.ghosts)
        && Objects.equals(found, r.found);
  }

  @Override
  public int hashCode() {
    return Objects.hash(run, scheduledAt);
  }
}
