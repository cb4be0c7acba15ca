package io.ghosthunt.api.status;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * When a probe's steps happened, as its own clock (the node's) saw them, to the millisecond: what a
 * slow hunt spent where, beside the hunt's own timeline. The report's {@code finishedAt} is the
 * last step: when it was written.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProbeTimeline {

  @JsonPropertyDescription(
      "When the probe's process started (RFC 3339, milliseconds): its container's start, to the"
          + " millisecond.")
  @Size(max = ReportBounds.MAX_TIME)
  private String processStartedAt;

  @JsonPropertyDescription(
      "When the checks began (RFC 3339, milliseconds), once the hunt was read from the API server.")
  @Size(max = ReportBounds.MAX_TIME)
  private String checksStartedAt;

  @JsonPropertyDescription("When the checks were done (RFC 3339, milliseconds).")
  @Size(max = ReportBounds.MAX_TIME)
  private String checksFinishedAt;

  public ProbeTimeline() {}

  public ProbeTimeline(
      Instant processStartedAt, Instant checksStartedAt, Instant checksFinishedAt) {
    this.processStartedAt = millis(processStartedAt);
    this.checksStartedAt = millis(checksStartedAt);
    this.checksFinishedAt = millis(checksFinishedAt);
  }

  /** {@code at} as RFC 3339 to the millisecond, as every timeline writes its times; null stays. */
  public static String millis(Instant at) {
    return at == null ? null : at.truncatedTo(ChronoUnit.MILLIS).toString();
  }

  public String getProcessStartedAt() {
    return processStartedAt;
  }

  public void setProcessStartedAt(String processStartedAt) {
    this.processStartedAt = processStartedAt;
  }

  public String getChecksStartedAt() {
    return checksStartedAt;
  }

  public void setChecksStartedAt(String checksStartedAt) {
    this.checksStartedAt = checksStartedAt;
  }

  public String getChecksFinishedAt() {
    return checksFinishedAt;
  }

  public void setChecksFinishedAt(String checksFinishedAt) {
    this.checksFinishedAt = checksFinishedAt;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProbeTimeline t
        && Objects.equals(processStartedAt, t.processStartedAt)
        && Objects.equals(checksStartedAt, t.checksStartedAt)
        && Objects.equals(checksFinishedAt, t.checksFinishedAt);
  }

  @Override
  public int hashCode() {
    return Objects.hash(processStartedAt, checksStartedAt, checksFinishedAt);
  }

  @Override
  public String toString() {
    return "process "
        + processStartedAt
        + ", checks "
        + checksStartedAt
        + " to "
        + checksFinishedAt;
  }
}
