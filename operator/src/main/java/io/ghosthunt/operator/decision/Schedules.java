package io.ghosthunt.operator.decision;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Optional;

/**
 * When a scheduled hunt runs, decided from its status and the clock alone, so that an operator
 * restart neither skips a due run nor runs one twice. CronJob's rules: five fields (or a nickname)
 * in UTC, a run that would overlap the previous one is skipped and counted (concurrencyPolicy
 * Forbid), missed times run once, the latest of them, and a suspended hunt starts nothing.
 */
public final class Schedules {

  private static final CronParser PARSER =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  /**
   * CronJob's nicknames: cron-utils' Unix definition does not take them, so they are spelt out
   * here.
   */
  private static final Map<String, String> NICKNAMES =
      Map.of(
          "@yearly",
          "0 0 1 1 *",
          "@annually",
          "0 0 1 1 *",
          "@monthly",
          "0 0 1 * *",
          "@weekly",
          "0 0 * * 0",
          "@daily",
          "0 0 * * *",
          "@midnight",
          "0 0 * * *",
          "@hourly",
          "0 * * * *");

  private Schedules() {}

  /**
   * What to do now.
   *
   * @param runAt the schedule time to start a run for now, or null
   * @param skipped a schedule time that came while the previous run was still going: counted, not
   *     run
   * @param handled the latest schedule time dealt with (run or skipped): where the next look starts
   * @param next the next schedule time after now (null while suspended)
   * @param wake when to look again: the next schedule time, suspended or not, so that the times
   *     passing while suspended are handled (and not run) as they come, and a resume never catches
   *     up on them
   */
  public record Tick(Instant runAt, Instant skipped, Instant handled, Instant next, Instant wake) {}

  /** Why the expression is no schedule, or empty when it is one. */
  public static Optional<String> invalid(String schedule) {
    try {
      parse(schedule);
      return Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.of(
          "spec.schedule '" + schedule + "' is not a cron schedule: " + e.getMessage());
    }
  }

  /**
   * @param since the latest schedule time already handled, or the hunt's creation for none yet
   * @param running whether the current run has not completed
   */
  public static Tick decide(
      String schedule, Instant since, Instant now, boolean running, boolean suspended) {
    ExecutionTime times = ExecutionTime.forCron(parse(schedule));
    ZonedDateTime utcNow = now.atZone(ZoneOffset.UTC);
    Instant latest =
        times.lastExecution(utcNow.plusNanos(1)).map(ZonedDateTime::toInstant).orElse(null);
    Instant wake = times.nextExecution(utcNow).map(ZonedDateTime::toInstant).orElse(null);
    Instant next = suspended ? null : wake;
    if (latest == null || !latest.isAfter(since)) {
      return new Tick(null, null, since, next, wake);
    }
    if (suspended) {
      // Times that pass while suspended are not caught up on resume: nobody asked for those runs.
      return new Tick(null, null, latest, null, wake);
    }
    return running
        ? new Tick(null, latest, latest, next, wake)
        : new Tick(latest, null, latest, next, wake);
  }

  private static Cron parse(String schedule) {
    String expression = NICKNAMES.getOrDefault(schedule.strip(), schedule.strip());
    Cron cron = PARSER.parse(expression);
    cron.validate();
    return cron;
  }
}
