package io.ghosthunt.api;

import io.ghosthunt.api.spec.Patterns;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The parsed {@code spec.target} shorthand: an http(s) URL, or host[:port] (IPv6 in brackets when a
 * port follows).
 *
 * @param raw the target as written
 * @param host the host name or IP literal, without brackets
 * @param port the explicit port, or the scheme's default for URLs; null for a bare host
 * @param url the URL when the target is one, else null
 */
public record Target(String raw, String host, Integer port, String url) {

  private static final java.util.regex.Pattern IPV4 =
      java.util.regex.Pattern.compile(Patterns.IPV4_ANCHORED);

  public static Target parse(String raw) throws InvalidHuntException {
    if (raw == null || raw.isBlank()) {
      throw invalid(raw, "it is empty");
    }
    String t = raw.trim();
    if (!t.matches(Patterns.TARGET_ANCHORED)) {
      throw invalid(
          raw,
          "expected an http(s) URL or host[:port], e.g. https://app.example.com:8443/health or db.example.com:5432");
    }
    String lower = t.toLowerCase(Locale.ROOT);
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      URI uri;
      try {
        uri = new URI(t);
      } catch (URISyntaxException e) {
        throw invalid(raw, e.getReason());
      }
      String host = stripBrackets(uri.getHost());
      if (host == null) {
        throw invalid(raw, "the URL has no host");
      }
      int port = uri.getPort() > 0 ? uri.getPort() : (lower.startsWith("https") ? 443 : 80);
      return new Target(raw, host, checkPort(raw, port), t);
    }
    if (t.startsWith("[")) {
      int close = t.indexOf(']');
      String host = t.substring(1, close);
      String rest = t.substring(close + 1);
      Integer port = rest.isEmpty() ? null : checkPort(raw, parsePort(raw, rest.substring(1)));
      return new Target(raw, host, port, null);
    }
    long colons = t.chars().filter(c -> c == ':').count();
    if (colons > 1) {
      return new Target(raw, t, null, null);
    }
    if (colons == 1) {
      int i = t.indexOf(':');
      return new Target(
          raw, t.substring(0, i), checkPort(raw, parsePort(raw, t.substring(i + 1))), null);
    }
    return new Target(raw, t, null, null);
  }

  /** True when the host is an IP literal rather than a name to resolve. */
  public boolean hostIsIp() {
    return host.contains(":") || IPV4.matcher(host).matches();
  }

  private static String stripBrackets(String host) {
    if (host != null && host.startsWith("[") && host.endsWith("]")) {
      return host.substring(1, host.length() - 1);
    }
    return host;
  }

  private static int parsePort(String raw, String text) throws InvalidHuntException {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw invalid(raw, "port '" + text + "' is not a number");
    }
  }

  private static int checkPort(String raw, int port) throws InvalidHuntException {
    if (port < 1 || port > 65535) {
      throw invalid(raw, "port " + port + " is outside 1-65535");
    }
    return port;
  }

  private static InvalidHuntException invalid(String raw, String why) {
    return new InvalidHuntException(java.util.List.of("spec.target '" + raw + "': " + why));
  }
}
