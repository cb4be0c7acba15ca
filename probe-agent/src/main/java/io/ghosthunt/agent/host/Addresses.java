package io.ghosthunt.agent.host;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** Addresses as people write them: IPv6 in the short form (::1, 2001:db8::10), RFC 5952. */
public final class Addresses {
  private Addresses() {}

  public static String text(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address.getHostAddress();
    }
    byte[] b = address.getAddress();
    int[] words = new int[8];
    for (int i = 0; i < 8; i++) {
      words[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
    }
    // The longest run of two or more zero words becomes "::".
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (words[i] == 0) {
        int j = i;
        while (j < 8 && words[j] == 0) {
          j++;
        }
        if (j - i > bestLen && j - i >= 2) {
          bestStart = i;
          bestLen = j - i;
        }
        i = j;
      } else {
        i++;
      }
    }
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        s.append("::");
        i += bestLen - 1;
        continue;
      }
      if (s.length() > 0 && s.charAt(s.length() - 1) != ':') {
        s.append(':');
      }
      s.append(Integer.toHexString(words[i]));
    }
    return s.toString();
  }

  private static final Pattern V4 =
      Pattern.compile(
          "^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$");
  private static final Pattern V6 = Pattern.compile("^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$");

  /** True for an IPv4 or IPv6 literal; a name is never looked up here. */
  public static boolean isLiteral(String text) {
    return V4.matcher(text).matches() || (V6.matcher(text).matches() && text.length() >= 2);
  }

  /** Parses an address literal without any name lookup; rejects names. */
  public static InetAddress literal(String text) {
    if (!isLiteral(text)) {
      throw new IllegalArgumentException(text + " is not an IP address");
    }
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(text + " is not an IP address", e);
    }
  }
}
