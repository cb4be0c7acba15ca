package io.ghosthunt.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.agent.check.PathMtuSearch.Kind;
import io.ghosthunt.agent.check.PathMtuSearch.Probe;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The path MTU search on simulated paths: a few lossless shapes exactly, and lossy ones over many
 * thousands of hunts, counted. The random loss is seeded, so that a count is the same on every run
 * and a change of the search that makes it worse fails here, not one CI run in fifty.
 */
class PathMtuSearchTest {

  private static final int LINK = 1500;

  /**
   * A path: echoes up to {@code mtu} bytes pass, bigger ones vanish (or get a frag-needed), and
   * every probe is lost with {@code loss} chance. Counts the time a real prober would wait: a round
   * ends at once when every copy came back, after the wait when one did not.
   */
  static final class SimulatedPath implements PathMtuSearch.Prober {
    final int mtu;
    final double loss;
    final boolean fragNeeded;
    final Random random;
    long waitedMs;
    boolean answered;

    SimulatedPath(int mtu, double loss, boolean fragNeeded, Random random) {
      this.mtu = mtu;
      this.loss = loss;
      this.fragNeeded = fragNeeded;
      this.random = random;
    }

    @Override
    public List<Probe> send(int... sizes) {
      List<Probe> out = new ArrayList<>();
      for (int size : sizes) {
        // As the lab's policer: the echo request is dropped with this chance.
        boolean through = random.nextDouble() >= loss;
        if (size > mtu && fragNeeded && through) {
          out.add(new Probe(size, Kind.FRAG_NEEDED, mtu, "192.0.2.1", 2000));
        } else if (size <= mtu && through) {
          out.add(new Probe(size, Kind.REPLY, 0, null, 2000));
        } else {
          out.add(new Probe(size, Kind.LOST, 0, null, 0));
        }
      }
      boolean allBack = out.stream().allMatch(p -> p.kind() != Kind.LOST);
      answered |= out.stream().anyMatch(p -> p.kind() == Kind.REPLY);
      waitedMs += allBack ? 2 : answered ? 100 : 1000;
      return out;
    }
  }

  /** What many hunts of one path gave. */
  record Tally(
      int hunts, int ghosts, int exact, int within10, int clear, int noEcho, long[] millis) {
    long percentile(double p) {
      long[] sorted = millis.clone();
      Arrays.sort(sorted);
      return sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
    }

    @Override
    public String toString() {
      return String.format(
          "%d hunts: %d ghosts (%d with the exact path MTU, %d within 10 bytes), %d clear,"
              + " %d no echo at all; waited median %d ms, p99 %d ms, max %d ms",
          hunts,
          ghosts,
          exact,
          within10,
          clear,
          noEcho,
          percentile(0.5),
          percentile(0.99),
          percentile(1.0));
    }
  }

  private static Tally hunts(int mtu, double loss, int hunts, long seed) throws IOException {
    Random random = new Random(seed);
    int ghosts = 0;
    int exact = 0;
    int within = 0;
    int clear = 0;
    int noEcho = 0;
    long[] millis = new long[hunts];
    for (int i = 0; i < hunts; i++) {
      SimulatedPath path = new SimulatedPath(mtu, loss, false, random);
      PathMtuSearch search = new PathMtuSearch(path, LINK);
      if (!search.run()) {
        // Every first probe lost, twice: nothing measured, Inconclusive, no alarm either way.
        noEcho++;
        continue;
      }
      assertTrue(search.probes().size() <= PathMtuSearch.CONFIRM_BUDGET, search.sequence());
      assertTrue(search.answered() <= mtu, "answered above the path MTU: " + search.sequence());
      boolean ghost = search.answered() < LINK && search.silentAbove();
      ghosts += ghost ? 1 : 0;
      exact += ghost && search.answered() == mtu ? 1 : 0;
      within += ghost && search.answered() >= mtu - 10 ? 1 : 0;
      clear += search.answered() == LINK ? 1 : 0;
      millis[i] = path.waitedMs;
    }
    return new Tally(hunts, ghosts, exact, within, clear, noEcho, millis);
  }

  private static PathMtuSearch once(int mtu, boolean fragNeeded) throws IOException {
    PathMtuSearch search =
        new PathMtuSearch(new SimulatedPath(mtu, 0, fragNeeded, new Random(1)), LINK);
    assertTrue(search.run());
    return search;
  }

  @Test
  void aFullPathIsOneRoundAfterTheFloor() throws IOException {
    PathMtuSearch search = once(LINK, false);
    assertEquals(LINK, search.answered());
    assertEquals("1280✓ 1280✓ 576✓ 1500✓ 1500✓", search.sequence());
    assertFalse(search.silentAbove());
  }

  @Test
  void aBlackHoleIsExactWithinTheBudgetAndEachSilentSizeConfirmed() throws IOException {
    PathMtuSearch search = once(1400, false);
    assertEquals(1400, search.answered());
    assertEquals(1401, search.lost());
    assertTrue(search.exact());
    assertTrue(search.silentAbove());
    // Eight silent rounds of a short wait each: the full size, four sizes of the bisection, the
    // two confirmations; the sizes that answer cost a round trip.
    assertEquals(
        "1280✓ 1280✓ 576✓ 1500✗ 1500✗ 1390✓ 1390✓ 1445✗ 1445✗ 1417✗ 1417✗ 1403✗ 1403✗ 1396✓ 1396✓"
            + " 1399✓ 1399✓ 1401✗ 1401✗ 1400✓ 1400✓ 1401✗ 1401✗ 1500✗ 1500✗",
        search.sequence());
    assertTrue(search.perSize().contains("1401 4✗"), search.perSize());
    assertTrue(search.perSize().endsWith("1500 4✗"), search.perSize());
  }

  @Test
  void aReportedNextHopMtuIsTriedFirstAndNeedsNoSilence() throws IOException {
    PathMtuSearch search = once(1400, true);
    assertEquals(1400, search.answered());
    assertEquals(1400, search.reported().nextHopMtu());
    assertTrue(search.exact());
    assertFalse(search.silentAbove());
    assertEquals("1280✓ 1280✓ 576✓ 1500→1400 1500→1400 1400✓", search.sequence());
  }

  @Test
  void aPathUnderTheFloorIsSearchedFromTheIpv4Minimum() throws IOException {
    PathMtuSearch search = once(1000, false);
    assertEquals(1000, search.answered());
    assertTrue(search.silentAbove());
    // The floor silent in the first round while the minimum answered: once more before trusting it.
    assertTrue(search.sequence().startsWith("1280✗ 1280✗ 576✓ 1280✗ 1280✗ "), search.sequence());
  }

  @Test
  void aTargetThatAnswersNoEchoIsNothingToMeasure() throws IOException {
    PathMtuSearch search = new PathMtuSearch(new SimulatedPath(0, 0, false, new Random(1)), LINK);
    assertFalse(search.run());
    assertEquals(Kind.LOST, search.floor().kind());
    assertEquals(6, search.probes().size());
  }

  /** Issue 14's measured false alarm: 2 ghosts in 10 hunts of a clean path with random loss. */
  @Test
  void randomLossOnAFullPathIsAlmostNeverABlackHole() throws IOException {
    for (double loss : new double[] {0.01, 0.05, 0.1, 0.2, 0.3}) {
      Tally t = hunts(LINK, loss, 10_000, 14);
      System.out.printf("clean path, %.0f %% loss: %s%n", loss * 100, t);
      // None in these 50,000 hunts; one in 10,000 would still pass.
      assertTrue(t.ghosts() <= 1, loss + ": " + t);
    }
  }

  /** The CI failure this class came from: a pair lost by chance sent the search below the MTU. */
  @Test
  void aBlackHoleOnALossyPathIsFoundWithItsPathMtu() throws IOException {
    for (double loss : new double[] {0.01, 0.05, 0.1, 0.2, 0.3}) {
      Tally t = hunts(1400, loss, 10_000, 14);
      System.out.printf("black hole at 1400, %.0f %% loss: %s%n", loss * 100, t);
      // Up to the lab's 20 %: found, within 10 bytes, 999 hunts in 1000; beyond, the budget runs
      // out more often (Inconclusive, "at least"), never a Clear.
      double found = loss <= 0.2 ? 0.999 : 0.99;
      assertTrue(t.ghosts() >= t.hunts() * found, loss + ": " + t);
      assertTrue(t.within10() >= t.hunts() * found, loss + ": " + t);
      assertEquals(0, t.clear(), loss + ": " + t);
    }
  }
}
