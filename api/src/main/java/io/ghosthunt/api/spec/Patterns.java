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

  /**
   * The name part of a label key, and a label value when not empty: at most 63 characters,
   * alphanumeric at both ends, '-', '_' and '.' between (Kubernetes' qualified name).
   */
  public static final String LABEL_NAME = "[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?";

  /**
   * The optional prefix of a label key: a DNS subdomain, lower case (its length is checked apart).
   */
  public static final String LABEL_PREFIX =
      "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";

  /** A label key, {@code [prefix/]name}, e.g. {@code kubernetes.io/os}. */
  public static final String LABEL_KEY_ANCHORED = "^(" + LABEL_PREFIX + "/)?" + LABEL_NAME + "$";

  /**
   * A label key whose prefix is longer than a DNS subdomain may be (253): what {@link
   * #LABEL_KEY_ANCHORED} cannot count. A key must match that one and not this one.
   */
  public static final String LABEL_KEY_LONG_PREFIX = "^[^/]{254,}/";

  /** A label value: empty, or a {@link #LABEL_NAME}. */
  public static final String LABEL_VALUE_ANCHORED = "^(" + LABEL_NAME + ")?$";

  private Patterns() {}
}
