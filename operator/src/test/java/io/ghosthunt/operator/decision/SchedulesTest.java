package io.ghosthunt.operator.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class SchedulesTest {

  static final Instant CREATED = Instant.parse("2026-12-01T09:00:30Z");

  @Test
  void nothingRunsBeforeTheFirstScheduleTimeThenExactlyOnce() {
    var early =
        Schedules.decide(
            "*/5 * * * *", CREATED, Instant.parse("2026-12-01T09:04:59Z"), false, false);
    assertEquals(
        new Schedules.Tick(
            null,
            null,
            CREATED,
            Instant.parse("2026-12-01T09:05:00Z"),
            Instant.parse("2026-12-01T09:05:00Z")),
        early);

    var due =
        Schedules.decide(
            "*/5 * * * *", CREATED, Instant.parse("2026-12-01T09:05:02Z"), false, false);
    assertEquals(Instant.parse("2026-12-01T09:05:00Z"), due.runAt());
    assertEquals(Instant.parse("2026-12-01T09:10:00Z"), due.next());
    // Looked at again (a restart, a second reconcile) from the status it wrote: not run twice.
    var again =
        Schedules.decide(
            "*/5 * * * *", due.handled(), Instant.parse("2026-12-01T09:05:40Z"), false, false);
    assertEquals(null, again.runAt());
  }

  @Test
  void missedTimesRunOnceTheLatestAndAnOverlapIsSkipped() {
    var late =
        Schedules.decide(
            "*/5 * * * *",
            Instant.parse("2026-12-01T09:05:00Z"),
            Instant.parse("2026-12-01T09:27:00Z"),
            false,
            false);
    assertEquals(
        Instant.parse("2026-12-01T09:25:00Z"),
        late.runAt(),
        "an operator down for four times runs the latest once");

    var overlap =
        Schedules.decide(
            "*/5 * * * *",
            Instant.parse("2026-12-01T09:05:00Z"),
            Instant.parse("2026-12-01T09:10:01Z"),
            true,
            false);
    assertEquals(null, overlap.runAt());
    assertEquals(Instant.parse("2026-12-01T09:10:00Z"), overlap.skipped());
    assertEquals(Instant.parse("2026-12-01T09:10:00Z"), overlap.handled());
  }

  @Test
  void aSuspendedHuntStartsNothingAndDoesNotCatchUpOnResume() {
    var suspended =
        Schedules.decide(
            "*/5 * * * *", CREATED, Instant.parse("2026-12-01T09:12:00Z"), false, true);
    assertEquals(
        new Schedules.Tick(
            null,
            null,
            Instant.parse("2026-12-01T09:10:00Z"),
            null,
            Instant.parse("2026-12-01T09:15:00Z")),
        suspended);
    // Woken at each time while suspended: the time is handled, not run, and no later resume runs
    // it.
    var woken =
        Schedules.decide(
            "*/5 * * * *",
            suspended.handled(),
            Instant.parse("2026-12-01T09:15:00.200Z"),
            false,
            true);
    assertEquals(Instant.parse("2026-12-01T09:15:00Z"), woken.handled());
    assertEquals(null, woken.runAt());
    var afterLongSuspension =
        Schedules.decide(
            "*/5 * * * *", woken.handled(), Instant.parse("2026-12-01T09:17:00Z"), false, false);
    assertEquals(null, afterLongSuspension.runAt());
    var resumed =
        Schedules.decide(
            "*/5 * * * *",
            suspended.handled(),
            Instant.parse("2026-12-01T09:13:00Z"),
            false,
            false);
    assertEquals(null, resumed.runAt());
    assertEquals(Instant.parse("2026-12-01T09:15:00Z"), resumed.next());
  }

  @Test
  void cronJobSyntaxIsAcceptedAndNonsenseSaysWhy() {
    assertEquals(
        Instant.parse("2026-12-08T09:00:00Z"),
        Schedules.decide("0 9 * * 2", CREATED, CREATED, false, false).next(),
        "Tuesdays at nine");
    assertEquals(
        Instant.parse("2026-12-01T10:00:00Z"),
        Schedules.decide("@hourly", CREATED, CREATED, false, false).next());
    assertTrue(Schedules.invalid("0 9 * * 2").isEmpty());
    String why = Schedules.invalid("61 * * * *").orElseThrow();
    assertTrue(why.startsWith("spec.schedule '61 * * * *' is not a cron schedule: "), why);
    assertTrue(why.contains("61"), why);
    assertTrue(Schedules.invalid("* * *").orElseThrow().contains("3 parts"));
  }
}
