package io.ghosthunt.operator.reconciler;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What {@link EventRecorder} already recorded, per hunt UID for its newest round (generation, run)
 * only: a scheduled hunt that ran 10,000 times holds no more than one that ran once.
 *
 * <p>A record for an older round than the held one (one that came late, or a hunt-wide one of run 0
 * while a run goes on) is kept beside the newest round's, not in place of it: replacing would let
 * two rounds that take turns record their events again and again. It goes when a newer round
 * starts.
 */
final class RecordedRounds {

  private record Round(long generation, int run, Set<String> keys) {

    boolean olderThan(long g, int r) {
      return generation < g || generation == g && run < r;
    }
  }

  private final Map<String, Round> byUid = new ConcurrentHashMap<>();

  /** True the first time {@code key} is seen in that round of that hunt. */
  boolean first(String uid, long generation, int run, String key) {
    boolean[] first = new boolean[1];
    byUid.compute(
        uid,
        (u, held) -> {
          Round r =
              held == null || held.olderThan(generation, run)
                  ? new Round(generation, run, ConcurrentHashMap.newKeySet())
                  : held;
          first[0] = r.keys().add(generation + "/" + run + " " + key);
          return r;
        });
    return first[0];
  }

  void forget(String uid) {
    byUid.remove(uid);
  }

  /** The keys held over all hunts. */
  int size() {
    return byUid.values().stream().mapToInt(r -> r.keys().size()).sum();
  }

  /** The hunts that hold any. */
  int hunts() {
    return byUid.size();
  }
}
