package io.ghosthunt.agent.host;

import io.ghosthunt.agent.host.DnsClient.Answer;
import java.util.List;

/** DnsClient answers as servers give them, for the tests of what the checks make of them. */
public final class Answers {

  private Answers() {}

  /** A recursive resolver's NOERROR with these addresses (no AA flag). */
  public static Answer answer(long ttl, String... addresses) {
    return noerror(false, ttl, addresses);
  }

  /** An authoritative server's NOERROR with these addresses (the AA flag set). */
  public static Answer authoritative(long ttl, String... addresses) {
    return noerror(true, ttl, addresses);
  }

  /** An answer without addresses: NXDOMAIN, SERVFAIL, REFUSED... */
  public static Answer rcode(String rcode, long ttl) {
    return new Answer(rcode, null, false, List.of(), List.of(), ttl, null);
  }

  private static Answer noerror(boolean aa, long ttl, String... addresses) {
    return new Answer(
        "NOERROR",
        null,
        aa,
        List.of(),
        List.of(addresses).stream().map(Addresses::literal).toList(),
        ttl,
        null);
  }
}
