package io.ghosthunt.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.ghosthunt.api.CheckKey;

/** How one check fared over all nodes: the first thing to read on a hunt over many nodes. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CheckCount {

  @Required
  @JsonPropertyDescription("The check.")
  private CheckKey check;

  @JsonPropertyDescription("Findings that are ghosts.")
  private Integer ghost;

  @JsonPropertyDescription("Findings that are clear.")
  private Integer clear;

  @JsonPropertyDescription("Findings that could not tell.")
  private Integer inconclusive;

  @JsonPropertyDescription("Findings of a check that could not run.")
  private Integer error;

  public CheckCount() {}

  public CheckCount(CheckKey check) {
    this.check = check;
    this.ghost = 0;
    this.clear = 0;
    this.inconclusive = 0;
    this.error = 0;
  }

  /** Counts one finding of this check. */
  public void count(FindingVerdict verdict) {
    switch (verdict) {
      case Ghost -> ghost++;
      case Clear -> clear++;
      case Inconclusive -> inconclusive++;
      case Error -> error++;
    }
  }

  public CheckKey getCheck() {
    return check;
  }

  public void setCheck(CheckKey check) {
    this.check = check;
  }

  public Integer getGhost() {
    return ghost;
  }

  public void setGhost(Integer ghost) {
    this.ghost = ghost;
  }

  public Integer getClear() {
    return clear;
  }

  public void setClear(Integer clear) {
    this.clear = clear;
  }

  public Integer getInconclusive() {
    return inconclusive;
  }

  public void setInconclusive(Integer inconclusive) {
    this.inconclusive = inconclusive;
  }

  public Integer getError() {
    return error;
  }

  public void setError(Integer error) {
    this.error = error;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CheckCount c
        && check == c.check
        && java.util.Objects.equals(ghost, c.ghost)
        && java.util.Objects.equals(clear, c.clear)
        && java.util.Objects.equals(inconclusive, c.inconclusive)
        && java.util.Objects.equals(error, c.error);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(check, ghost, clear, inconclusive, error);
  }
}
