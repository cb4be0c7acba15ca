package io.ghosthunt.api;

import io.ghosthunt.api.spec.ChecksSpec;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The checks a hunt runs, each with complete inputs, and why any check that the target could have
 * given was left out.
 *
 * @param checks one non-null entry per check that runs, defaults applied
 * @param skipped human-readable reasons, e.g. "dns: target 192.0.2.1 is an IP address, not a name"
 */
public record ResolvedHunt(ChecksSpec checks, List<String> skipped) {

  public ResolvedHunt {
    skipped = List.copyOf(skipped);
  }

  /** The keys of the checks that run, in the order of {@link CheckKey}. */
  public Set<CheckKey> keys() {
    Set<CheckKey> keys = EnumSet.noneOf(CheckKey.class);
    if (checks.getPortOwner() != null) {
      keys.add(CheckKey.PORT_OWNER);
    }
    if (checks.getDns() != null) {
      keys.add(CheckKey.DNS);
    }
    if (checks.getHttp2() != null) {
      keys.add(CheckKey.HTTP2);
    }
    if (checks.getMtu() != null) {
      keys.add(CheckKey.MTU);
    }
    if (checks.getDuplicateIp() != null) {
      keys.add(CheckKey.DUPLICATE_IP);
    }
    if (checks.getAsymmetricRoute() != null) {
      keys.add(CheckKey.ASYMMETRIC_ROUTE);
    }
    if (checks.getLoopback() != null) {
      keys.add(CheckKey.LOOPBACK);
    }
    return keys;
  }
}
