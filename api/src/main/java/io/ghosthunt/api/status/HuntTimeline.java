package io.ghosthunt.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.Objects;

/**
 * When the current round (a generation, or a scheduled hunt's run) reached each step, to the
 * millisecond, as the operator knows it: five fixed fields, whatever the number of nodes. Each
 * report's own timeline says what its probe spent where; this one keeps the latest of them. A time
 * once written for a round stays: later reconciles carry it over.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class HuntTimeline {

  @JsonPropertyDescription(
      "When the operator first saw this generation or run (RFC 3339, milliseconds): startedAt, to"
          + " the millisecond.")
  @Size(max = ReportBounds.MAX_TIME)
  private String seenAt;

  @JsonPropertyDescription(
      "When the API server had created the probe pods the round started with, the last of them"
          + " (RFC 3339, milliseconds: when the operator had its answer; to the second, from the"
          + " pods' creationTimestamp, if an operator restart lost it); probes started later for a"
          + " node or pod that joined do not move it.")
  @Size(max = ReportBounds.MAX_TIME)
  private String probesCreatedAt;

  @JsonPropertyDescription(
      "The latest processStartedAt of the round's reports (RFC 3339, milliseconds, the nodes'"
          + " clocks): when the last probe's process started.")
  @Size(max = ReportBounds.MAX_TIME)
  private String lastProcessStartedAt;

  @JsonPropertyDescription(
      "The latest finishedAt of the round's reports (RFC 3339, milliseconds, the nodes' clocks):"
          + " when the last report was written.")
  @Size(max = ReportBounds.MAX_TIME)
  private String lastReportAt;

  @JsonPropertyDescription(
      "When the operator found the round complete and wrote Complete=True (RFC 3339, milliseconds).")
  @Size(max = ReportBounds.MAX_TIME)
  private String completedAt;

  public HuntTimeline() {}

  /** A copy, for a status that goes on from another. */
  public HuntTimeline(HuntTimeline t) {
    this.seenAt = t.seenAt;
    this.probesCreatedAt = t.probesCreatedAt;
    this.lastProcessStartedAt = t.lastProcessStartedAt;
    this.lastReportAt = t.lastReportAt;
    this.completedAt = t.completedAt;
  }

  public String getSeenAt() {
    return seenAt;
  }

  public void setSeenAt(String seenAt) {
    this.seenAt = seenAt;
  }

  public String getProbesCreatedAt() {
    return probesCreatedAt;
  }

  public void setProbesCreatedAt(String probesCreatedAt) {
    this.probesCreatedAt = probesCreatedAt;
  }

  public String getLastProcessStartedAt() {
    return lastProcessStartedAt;
  }

  public void setLastProcessStartedAt(String lastProcessStartedAt) {
    this.lastProcessStartedAt = lastProcessStartedAt;
  }

  public String getLastReportAt() {
    return lastReportAt;
  }

  public void setLastReportAt(String lastReportAt) {
    this.lastReportAt = lastReportAt;
  }

  public String getCompletedAt() {
    return completedAt;
  }

  public void setCompletedAt(String completedAt) {
    this.completedAt = completedAt;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HuntTimeline t
        && Objects.equals(seenAt, t.seenAt)
        && Objects.equals(probesCreatedAt, t.probesCreatedAt)
        && Objects.equals(lastProcessStartedAt, t.lastProcessStartedAt)
        && Objects.equals(lastReportAt, t.lastReportAt)
        && Objects.equals(completedAt, t.completedAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(seenAt, probesCreatedAt, lastProcessStartedAt, lastReportAt, completedAt);
  }

  @Override
  public String toString() {
    return "seen "
        + seenAt
        + ", probes created "
        + probesCreatedAt
        + ", last process started "
        + lastProcessStartedAt
        + ", last report "
        + lastReportAt
        + ", completed "
        + completedAt;
  }
}
