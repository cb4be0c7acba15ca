package io.ghosthunt.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Objects;

/** What the latest run of a scheduled hunt found different from the run before it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class RunChanges {

  @JsonPropertyDescription("The run these changes are of.")
  private Integer run;

  @JsonPropertyDescription("The run compared with.")
  private Integer since;

  @JsonPropertyDescription("Ghosts found now and not before, with their evidence.")
  private List<GhostChange> appeared;

  @JsonPropertyDescription("Ghosts found before and not now.")
  private List<GhostChange> gone;

  public Integer getRun() {
    return run;
  }

  public void setRun(Integer run) {
    this.run = run;
  }

  public Integer getSince() {
    return since;
  }

  public void setSince(Integer since) {
    this.since = since;
  }

  public List<GhostChange> getAppeared() {
    return appeared;
  }

  public void setAppeared(List<GhostChange> appeared) {
    this.appeared = appeared;
  }

  public List<GhostChange> getGone() {
    return gone;
  }

  public void setGone(List<GhostChange> gone) {
    this.gone = gone;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RunChanges c
        && Objects.equals(run, c.run)
        && Objects.equals(since, c.since)
        && Objects.equals(appeared, c.appeared)
        && Objects.equals(gone, c.gone);
  }

  @Override
  public int hashCode() {
    return Objects.hash(run, since);
  }
}
