package io.ghosthunt.operator.reconciler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class BurstRateLimiterTest {

  final AtomicLong now = new AtomicLong(1_000_000_000L);
  final BurstRateLimiter limiter = new BurstRateLimiter(5, 2, now::get);

  void advanceMillis(long ms) {
    now.addAndGet(ms * 1_000_000L);
  }

  @Test
  void aQuietHuntReconcilesItsFirstFiveAtOnceThenWaitsForTheNextToken() {
    BurstRateLimiter.Bucket b = limiter.initState();
    for (int i = 0; i < 5; i++) {
      assertEquals(Optional.empty(), limiter.isLimited(b), "reconcile " + (i + 1));
    }
    assertEquals(Optional.of(Duration.ofMillis(500)), limiter.isLimited(b));
    advanceMillis(200);
    assertEquals(Optional.of(Duration.ofMillis(300)), limiter.isLimited(b));
    advanceMillis(300);
    assertEquals(Optional.empty(), limiter.isLimited(b));
  }

  @Test
  void aBusyHuntIsHeldToTwoPerSecond() {
    BurstRateLimiter.Bucket b = limiter.initState();
    int allowed = 0;
    for (int ms = 0; ms <= 10_010; ms += 10) {
      if (limiter.isLimited(b).isEmpty()) {
        allowed++;
      }
      advanceMillis(10);
    }
    // The burst, then two per second for ten seconds (and 10 ms).
    assertEquals(5 + 20, allowed);
  }

  @Test
  void aQuietSpellRefillsTheBurstButNoMore() {
    BurstRateLimiter.Bucket b = limiter.initState();
    for (int i = 0; i < 5; i++) {
      limiter.isLimited(b);
    }
    advanceMillis(60_000);
    for (int i = 0; i < 5; i++) {
      assertEquals(Optional.empty(), limiter.isLimited(b), "reconcile " + (i + 1));
    }
    assertEquals(Optional.of(Duration.ofMillis(500)), limiter.isLimited(b));
  }
}
