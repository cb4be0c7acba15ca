package io.ghosthunt.api.spec;

/**
 * Regular expressions shared by the schema (as CEL rules and {@code pattern}s) and by the resolver,
 * so that the API server and a local run reject the same input. Written in the RE2 subset that both
 * CEL and java.util.regex understand.
 */
public final class Patterns {
  private static final String LABEL = "[A-Za-z0-9]([-A-Za-z0-9]{0,61}[A-Za-z0-9])?";

  /** A DNS name; also matches a dotted IPv4 literal, which is what we want for "host". */
  public static final String DNS_NAME = LABEL + "(\\." + LABEL + ")*\\.?";

  public static final String IPV4 =
      "((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";

  /** Loose on purpose: the exact parse happens in the resolver, the schema only keeps junk out. */
  public static final String IPV6 = "[0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7}(%[A-Za-z0-9_.-]+)?";

  public static final String PORT = "[0-9]{1,5}";

  public static final String DNS_NAME_ANCHORED = "^" + DNS_NAME + "$";
  public static final String HOST_ANCHORED = "^(" + DNS_NAME + "|" + IPV6 + ")$";
  public static final String IP_ANCHORED = "^(" + IPV4 + "|" + IPV6 + ")$";
  public static final String IPV4_ANCHORED = "^" + IPV4 + "$";
  public static final String URL_ANCHORED =
      "^https?://(" + DNS_NAME + "|\\[" + IPV6 + "\\])(:" + PORT + ")?([/?#][^\\s]*)?$";

  /** {@code spec.target}: an http(s) URL, or host[:port] with the IPv6 form in brackets. */
  public static final String TARGET_ANCHORED =
      "^(https?://("
          + DNS_NAME
          + "|\\["
          + IPV6
          + "\\])(:"
          + PORT
          + ")?([/?#][^\\s]*)?"
          + "|("
          + DNS_NAME
          + "|\\["
          + IPV6
          + "\\])(:"
          + PORT
          + ")?"
          + "|"
          + IPV6
          + ")$";

  private Patterns() {}
}
