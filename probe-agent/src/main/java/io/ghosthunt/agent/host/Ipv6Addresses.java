package io.ghosthunt.agent.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.Inet6Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * An interface's global IPv6 addresses with the kernel's duplicate address detection state ({@code
 * ip -j -6 addr}): Java's own interface list shows neither a tentative address nor one whose
 * detection failed.
 */
public final class Ipv6Addresses {
  private Ipv6Addresses() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * One address: {@code dadFailed} when the kernel saw another host holding it and left it unused;
   * {@code tentative} while the check is still running (or stuck after a failure).
   */
  public record Own(Inet6Address address, int prefixLength, boolean tentative, boolean dadFailed) {}

  /** The global-scope IPv6 addresses of {@code iface}, none when it has none or ip fails. */
  public static List<Own> of(String iface, Duration timeout) {
    Commands.Result r =
        Commands.run(timeout, "ip", "-j", "-6", "addr", "show", "dev", iface, "scope", "global");
    return r.ok() ? parse(r.stdout()) : List.of();
  }

  static List<Own> parse(String json) {
    List<Own> own = new ArrayList<>();
    try {
      for (JsonNode link : JSON.readTree(json)) {
        for (JsonNode a : link.path("addr_info")) {
          if ("inet6".equals(a.path("family").asText()) && a.has("local")) {
            own.add(
                new Own(
                    (Inet6Address) Addresses.literal(a.path("local").asText()),
                    a.path("prefixlen").asInt(128),
                    a.path("tentative").asBoolean(false),
                    a.path("dadfailed").asBoolean(false)));
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      return List.of();
    }
    return own;
  }
}
