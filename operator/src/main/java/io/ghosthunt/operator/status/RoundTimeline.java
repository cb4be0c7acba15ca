package io.ghosthunt.operator.status;

import io.fabric8.kubernetes.api.model.Pod;
import io.ghosthunt.api.GhostHuntReport;
import io.ghosthunt.api.status.GhostHuntReportStatus;
import io.ghosthunt.api.status.HuntTimeline;
import io.ghosthunt.api.status.ProbeTimeline;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.Objects;

/**
 * A round's timeline ({@code status.timeline}), from what the operator saw and what the probes'
 * reports say: pure, the clock an argument. The status is written afresh by every reconcile, so the
 * timeline on record is carried over: a time once written for a round stays (the first one wins),
 * and the latest of the reports' times only moves on as later reports come.
 */
public final class RoundTimeline {

  /**
   * What a round's reports say of their probes: the latest process start and the latest write.
   * Their times are the probes' words: one that is no time is left out, never fails the round.
   */
  public record ReportTimes(Instant lastProcessStartedAt, Instant lastReportAt) {

    public static final ReportTimes NONE = new ReportTimes(null, null);

    public static ReportTimes of(Collection<GhostHuntReport> reports) {
      Instant process = null;
      Instant written = null;
      for (GhostHuntReport r : reports) {
        GhostHuntReportStatus s = r.getStatus();
        if (s == null || s.getPhase() == null) {
          continue; // created by the operator, not written by its probe yet
        }
        written = latest(written, parse(s.getFinishedAt()));
        if (s.getTimeline() != null) {
          process = latest(process, parse(s.getTimeline().getProcessStartedAt()));
        }
      }
      return new ReportTimes(process, written);
    }
  }

  private RoundTimeline() {}

  /** The timeline a round starts with, when its clock is written: seen then. */
  public static HuntTimeline starting(String startedAt) {
    HuntTimeline t = new HuntTimeline();
    t.setSeenAt(ProbeTimeline.millis(parse(startedAt)));
    return t;
  }

  /**
   * The round's timeline now.
   *
   * @param previous the timeline on record, or null: carried over only when it is this round's
   *     (seen when this round's clock was written)
   * @param startedAt the round's clock
   * @param probesCreated when the round's probes had been created (the API server's answer to the
   *     starts, or the creation of the probes found already there), or null
   * @param reports what the round's reports say so far
   * @param completed the time of this look when the round is complete (Complete=True), else null
   */
  public static HuntTimeline of(
      HuntTimeline previous,
      String startedAt,
      Instant probesCreated,
      ReportTimes reports,
      Instant completed) {
    HuntTimeline t = starting(startedAt);
    HuntTimeline before =
        previous != null && Objects.equals(previous.getSeenAt(), t.getSeenAt())
            ? previous
            : new HuntTimeline();
    t.setProbesCreatedAt(first(before.getProbesCreatedAt(), probesCreated));
    t.setLastProcessStartedAt(
        ProbeTimeline.millis(
            latest(parse(before.getLastProcessStartedAt()), reports.lastProcessStartedAt())));
    t.setLastReportAt(
        ProbeTimeline.millis(latest(parse(before.getLastReportAt()), reports.lastReportAt())));
    t.setCompletedAt(first(before.getCompletedAt(), completed));
    return t;
  }

  /**
   * When the latest of these probe pods was created (the API server's creationTimestamp, to the
   * second), or null: for probes a reconcile before this one created, whose answer is not known.
   */
  public static Instant latestCreated(Collection<Pod> probes) {
    Instant latest = null;
    for (Pod p : probes) {
      latest = latest(latest, parse(p.getMetadata().getCreationTimestamp()));
    }
    return latest;
  }

  private static String first(String onRecord, Instant now) {
    return onRecord != null ? onRecord : ProbeTimeline.millis(now);
  }

  private static Instant latest(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    return b == null || a.isAfter(b) ? a : b;
  }

  /** An RFC 3339 time, or null when there is none or it is no time. */
  static Instant parse(String time) {
    if (time == null) {
      return null;
    }
    try {
      return Instant.parse(time);
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
