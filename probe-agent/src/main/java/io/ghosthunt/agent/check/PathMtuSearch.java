package io.ghosthunt.agent.check;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Path MTU discovery as a search over sizes, apart from the wire: the check's prober sends raw
 * echoes, a unit test's prober is a simulated lossy path, so that how often the search is wrong on
 * a lossy path can be counted over many thousands of hunts instead of guessed from a few.
 *
 * <p>Each round sends several probes at once and waits once; every copy's outcome is kept, so that
 * the loss at sizes that pass shows and sets how many silences make a size lost.
 */
final class PathMtuSearch {

  /** IPv6's minimum MTU, and what most IPv4 paths carry; the search starts here. */
  static final int FLOOR = 1280;

  /** IPv4's minimum datagram every host must accept (RFC 791); tried beside the floor. */
  static final int IPV4_MINIMUM = 576;

  /** The bisection's budget on a path that lost nothing at a size that passes. */
  static final int MAX_PROBES = 24;

  /**
   * The bisection's budget once the path lost a probe at a size that passes: a pair lost by chance
   * sends the search below the path MTU, and finding its way back up costs another bisection.
   */
  static final int LOSSY_PROBES = 60;

  /** Silent probes that make a size lost on a path that lost nothing else. */
  static final int CONFIRM = 4;

  /**
   * On a path seen losing probes at sizes that do pass, a size is lost only when a run of silences
   * that long would happen by chance less than once in {@code 1 / CHANCE} hunts: at 20 % random
   * loss three silences in a row are 0.8 %, a black hole that is not there in one hunt of 125.
   */
  static final double CHANCE = 1e-5;

  static final int MAX_CONFIRM = 8;

  /**
   * Every probe a search may send: the bisection's and the confirmations (see {@link #required}).
   */
  static final int CONFIRM_BUDGET = LOSSY_PROBES + 3 * MAX_CONFIRM;

  enum Kind {
    REPLY,
    FRAG_NEEDED,
    LOST
  }

  record Probe(int size, Kind kind, int nextHopMtu, String from, long rttMicros) {}

  /** Sends one probe of each size at once, waits once; returns one outcome per size, in order. */
  interface Prober {
    List<Probe> send(int... sizes) throws IOException;
  }

  private final Prober prober;
  private final int top;
  private final List<Probe> probes = new ArrayList<>();

  /** The search's bounds: the largest size answered, the smallest lost, the last frag-needed. */
  private int answered;

  private int lost;
  private Probe reported;
  private Probe floor;

  PathMtuSearch(Prober prober, int top) {
    this.prober = prober;
    this.top = top;
  }

  /**
   * Runs the search; false when the target answers no echo at all (not even the IPv4 minimum), so
   * that there is nothing to measure: {@link #floor()} says what came back.
   */
  boolean run() throws IOException {
    lost = top + 1;
    if (!start()) {
      return false;
    }
    answered = floor.size();
    Probe full = best(send(top, top));
    if (full.kind() == Kind.REPLY) {
      answered = top;
      return true;
    }
    lost = Math.min(lost, top);
    reported = full.kind() == Kind.FRAG_NEEDED ? full : reported;
    do {
      bisect();
    } while (silenceBroken());
    return true;
  }

  /**
   * The floor twice and the IPv4 minimum at once, one wait (twice when nothing came back): when the
   * floor is silent but the minimum answers, the floor once more (now with a short wait) before the
   * search starts so low, since a pair lost by chance would cost the search half its budget.
   */
  private boolean start() throws IOException {
    int low = Math.min(FLOOR, top);
    boolean withMinimum = low > IPV4_MINIMUM;
    int[] sizes = withMinimum ? new int[] {low, low, IPV4_MINIMUM} : new int[] {low, low};
    List<Probe> first = send(sizes);
    if (first.stream().allMatch(p -> p.kind() == Kind.LOST)) {
      // A target that answers nothing costs a second round, a lossy path its one lucky miss less.
      first = send(sizes);
    }
    Probe atLow = best(first.subList(0, 2));
    Probe atMinimum = withMinimum ? first.get(2) : atLow;
    if (atLow.kind() == Kind.LOST && atMinimum.kind() == Kind.REPLY) {
      atLow = best(send(low, low));
    }
    if (atLow.kind() == Kind.REPLY) {
      floor = atLow;
    } else if (atMinimum.kind() == Kind.REPLY) {
      floor = atMinimum;
      lost = low;
      reported = atLow.kind() == Kind.FRAG_NEEDED ? atLow : null;
    } else {
      floor = atLow.kind() == Kind.FRAG_NEEDED ? atLow : atMinimum;
      return false;
    }
    return true;
  }

  /** Narrows the bounds, a pair of probes per size, until they meet or the budget is spent. */
  private void bisect() throws IOException {
    while (answered + 1 < lost && probes.size() < budget()) {
      // A router's next-hop MTU is tried first: when it holds, discovery is done in one probe.
      boolean hinted =
          reported != null
              && reported.nextHopMtu() > answered
              && reported.nextHopMtu() < lost
              && !tried(reported.nextHopMtu());
      int size = hinted ? reported.nextHopMtu() : (answered + lost) / 2;
      // Two probes of the size at once, one wait: on a lossy path a single silence would send the
      // search below the path MTU; a black hole costs no second wait per silent size. A router's
      // next-hop MTU needs no second opinion.
      Probe p = best(hinted ? send(size) : send(size, size));
      if (p.kind() == Kind.REPLY) {
        answered = size;
        if (hinted) {
          return;
        }
      } else {
        lost = size;
        if (p.kind() == Kind.FRAG_NEEDED) {
          reported = p;
        }
      }
    }
  }

  /**
   * Confirms the size that bounds the path MTU, then the full size: each must stay silent. True
   * when one answered (the silence was loss): the bounds move above it and the search goes on.
   */
  private boolean silenceBroken() throws IOException {
    Probe again = lost > top ? null : confirm(lost);
    if (again == null && lost < top) {
      again = confirm(top);
    }
    if (again != null && again.kind() == Kind.FRAG_NEEDED) {
      reported = again;
    }
    if (again == null || again.kind() != Kind.REPLY) {
      return false;
    }
    answered = again.size();
    lost = smallestSilentAbove(answered);
    return answered < top && probes.size() < budget();
  }

  /**
   * Sends {@code size} again until it has been silent {@link #needed()} times; returns the probe
   * that broke the silence (an answer or a frag-needed), or null when it stayed silent, or when it
   * needs no confirming (a frag-needed already proved it) or the budget is spent.
   */
  private Probe confirm(int size) throws IOException {
    while (!answeredAt(size)
        && !fragNeededAt(size)
        && silences(size) < required(size)
        && probes.size() < CONFIRM_BUDGET) {
      int copies = (int) Math.min(2, required(size) - silences(size));
      Probe p = best(send(IntStream.generate(() -> size).limit(copies).toArray()));
      if (p.kind() != Kind.LOST) {
        return p;
      }
    }
    return null;
  }

  private int budget() {
    return lostAtPassing() == 0 ? MAX_PROBES : LOSSY_PROBES;
  }

  private int smallestSilentAbove(int size) {
    return probes.stream()
        .filter(p -> p.kind() != Kind.REPLY && p.size() > size && !answeredAt(p.size()))
        .mapToInt(Probe::size)
        .min()
        .orElse(top + 1);
  }

  /**
   * Silences that make a size lost: {@link #CONFIRM} on a path that lost no probe of a size that
   * passes; more on a lossy one, from its loss rate (estimated with one loss and one answer added,
   * so that a few probes never make it look clean).
   */
  int needed() {
    long lossy = lostAtPassing();
    if (lossy == 0) {
      return CONFIRM;
    }
    double rate = (lossy + 1.0) / (atPassing() + 2.0);
    int n = (int) Math.ceil(Math.log(CHANCE) / Math.log(rate));
    return Math.max(CONFIRM, Math.min(MAX_CONFIRM, n));
  }

  /**
   * Silences that make {@code size} lost. Twice {@link #needed()} for the full size when every
   * smaller size answered: a black hole one byte wide is no real path's shape, but the full size
   * lost again and again by chance is the likeliest false alarm of a lossy clean path, and nothing
   * else (no second silent size) backs it.
   */
  private int required(int size) {
    return size == top && answered + 1 >= top ? 2 * needed() : needed();
  }

  /** True when a size above the path MTU stayed silent as often as required: a black hole. */
  boolean silentAbove() {
    return probes.stream()
        .anyMatch(
            p ->
                p.size() > answered
                    && silences(p.size()) >= required(p.size())
                    && !answeredAt(p.size()));
  }

  /** True when the bounds met, or a router's next-hop MTU was answered: the path MTU is exact. */
  boolean exact() {
    return answered + 1 >= lost || (reported != null && answered == reported.nextHopMtu());
  }

  /** The interface's MTU: the largest size the search sends. */
  int top() {
    return top;
  }

  int answered() {
    return answered;
  }

  /** The smallest size lost, or above the interface's MTU when none was. */
  int lost() {
    return lost;
  }

  Probe reported() {
    return reported;
  }

  /** The probe that answered at the start (its round trip sets the waits), or what came back. */
  Probe floor() {
    return floor;
  }

  List<Probe> probes() {
    return probes;
  }

  long lostProbes() {
    return probes.stream().filter(p -> p.kind() == Kind.LOST).count();
  }

  /** The lossy path's numbers, for the evidence. */
  String lossAtPassingSizes() {
    return lostAtPassing()
        + " of "
        + atPassing()
        + " probes lost at sizes that pass; a size counts as lost after "
        + needed()
        + " silences";
  }

  /** How many probes each size got and what came back: "1400 1✓, 1401 3✗, 1500 3✗". */
  String perSize() {
    TreeMap<Integer, List<Probe>> bySize = new TreeMap<>();
    probes.forEach(p -> bySize.computeIfAbsent(p.size(), k -> new ArrayList<>()).add(p));
    List<String> out = new ArrayList<>();
    bySize.forEach(
        (size, ps) -> {
          long answers = ps.stream().filter(p -> p.kind() == Kind.REPLY).count();
          long silent = ps.stream().filter(p -> p.kind() == Kind.LOST).count();
          long frag = ps.size() - answers - silent;
          out.add(
              size
                  + " "
                  + (answers > 0 ? answers + "✓" : "")
                  + (silent > 0 ? silent + "✗" : "")
                  + (frag > 0 ? frag + "→" : ""));
        });
    return String.join(", ", out);
  }

  /** Every probe in the order sent: "1280✓ 576✓ 1500✗". */
  String sequence() {
    return String.join(
        " ",
        probes.stream()
            .map(
                p ->
                    p.size()
                        + (p.kind() == Kind.REPLY
                            ? "✓"
                            : p.kind() == Kind.LOST ? "✗" : "→" + p.nextHopMtu()))
            .toList());
  }

  private long atPassing() {
    return probes.stream().filter(p -> answeredAt(p.size())).count();
  }

  private long lostAtPassing() {
    return probes.stream().filter(p -> p.kind() == Kind.LOST && answeredAt(p.size())).count();
  }

  private long silences(int size) {
    return probes.stream().filter(p -> p.size() == size && p.kind() == Kind.LOST).count();
  }

  private boolean answeredAt(int size) {
    return probes.stream().anyMatch(p -> p.size() == size && p.kind() == Kind.REPLY);
  }

  private boolean fragNeededAt(int size) {
    return probes.stream().anyMatch(p -> p.size() == size && p.kind() == Kind.FRAG_NEEDED);
  }

  private boolean tried(int size) {
    return probes.stream().anyMatch(p -> p.size() == size);
  }

  private List<Probe> send(int... sizes) throws IOException {
    List<Probe> out = prober.send(sizes);
    probes.addAll(out);
    return out;
  }

  /**
   * A round's outcome for one size: an answer if any copy got one, else a frag-needed, else lost.
   */
  private static Probe best(List<Probe> round) {
    return round.stream()
        .filter(p -> p.kind() == Kind.REPLY)
        .findFirst()
        .or(() -> round.stream().filter(p -> p.kind() == Kind.FRAG_NEEDED).findFirst())
        .orElse(round.get(0));
  }
}
