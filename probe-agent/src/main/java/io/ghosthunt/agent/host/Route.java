package io.ghosthunt.agent.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Duration;

/**
 * The kernel's route to one address ({@code ip -j route get}): egress device, gateway, source
 * address, and the path MTU the kernel has cached for it (after a frag-needed), if any.
 */
public record Route(String dev, String gateway, String src, Integer cachedMtu) {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Route NONE = new Route(null, null, null, null);

  public static Route to(String address, Duration timeout) {
    Commands.Result r = Commands.run(timeout, "ip", "-j", "route", "get", address);
    if (!r.ok()) {
      return NONE;
    }
    try {
      JsonNode n = JSON.readTree(r.stdout()).path(0);
      return new Route(
          n.path("dev").asText(null),
          n.path("gateway").asText(null),
          n.path("prefsrc").asText(null),
          n.has("mtu") ? n.path("mtu").asInt() : null);
    } catch (IOException e) {
      return NONE;
    }
  }

  /** The interface of the IPv4 default route, or null when there is none. */
  public static String defaultDevice(Duration timeout) {
    return defaultRoute(timeout).dev();
  }

  /** The IPv4 default route (its device and gateway), or one with neither when there is none. */
  public static Route defaultRoute(Duration timeout) {
    Commands.Result r = Commands.run(timeout, "ip", "-j", "-4", "route", "show", "default");
    if (!r.ok()) {
      return NONE;
    }
    try {
      JsonNode n = JSON.readTree(r.stdout()).path(0);
      return new Route(
          n.path("dev").asText(null),
          n.path("gateway").asText(null),
          n.path("prefsrc").asText(null),
          null);
    } catch (IOException e) {
      return NONE;
    }
  }

  public boolean exists() {
    return dev != null;
  }

  /**
   * The address whose MAC frames go to: the gateway, or the destination itself on a connected
   * route.
   */
  public String nextHop(String destination) {
    return gateway != null ? gateway : destination;
  }

  public String describe() {
    return dev == null
        ? "no route"
        : "dev "
            + dev
            + (gateway == null ? "" : " via " + gateway)
            + (src == null ? "" : " src " + src);
  }
}
