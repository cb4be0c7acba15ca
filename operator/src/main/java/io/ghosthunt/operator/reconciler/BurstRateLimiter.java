package io.ghosthunt.operator.reconciler;

import io.javaoperatorsdk.operator.processing.event.rate.RateLimiter;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * A token bucket per hunt: up to {@code burst} reconciles at once when the hunt has been quiet,
 * then {@code perSecond} on average. JOSDK's own LinearRateLimiter counts in fixed windows: a new
 * hunt's first reconciles (the finalizer, the round's clock, the probes' start) use up a window of
 * two, and the report that comes next waits out the rest of the second. Written here because JOSDK
 * has no bucket and the interface is two methods.
 */
public final class BurstRateLimiter implements RateLimiter<BurstRateLimiter.Bucket> {

  /** What a reconcile after a quiet spell may do at once: finalizer, clock, start, reports. */
  public static final int BURST = 5;

  /** Reports of a thousand nodes arrive within seconds: each reconcile aggregates all since. */
  public static final double PER_SECOND = 2;

  private final int burst;
  private final double perSecond;
  private final LongSupplier nanos;

  public BurstRateLimiter() {
    this(BURST, PER_SECOND, System::nanoTime);
  }

  BurstRateLimiter(int burst, double perSecond, LongSupplier nanos) {
    this.burst = burst;
    this.perSecond = perSecond;
    this.nanos = nanos;
  }

  /** One hunt's tokens, and when they were last counted. */
  public static final class Bucket implements RateLimitState {
    private double tokens;
    private long countedAt;

    Bucket(double tokens, long countedAt) {
      this.tokens = tokens;
      this.countedAt = countedAt;
    }
  }

  @Override
  public Bucket initState() {
    return new Bucket(burst, nanos.getAsLong());
  }

  @Override
  public Optional<Duration> isLimited(RateLimitState state) {
    Bucket b = (Bucket) state;
    synchronized (b) {
      long now = nanos.getAsLong();
      b.tokens = Math.min(burst, b.tokens + (now - b.countedAt) / 1e9 * perSecond);
      b.countedAt = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return Optional.empty();
      }
      return Optional.of(Duration.ofNanos((long) Math.ceil((1 - b.tokens) / perSecond * 1e9)));
    }
  }
}
