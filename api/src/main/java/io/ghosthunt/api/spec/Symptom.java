package io.ghosthunt.api.spec;

import io.ghosthunt.api.CheckKey;
import java.util.EnumSet;
import java.util.Set;

/** What the user saw. Each symptom narrows a hunt to the checks that can explain it. */
public enum Symptom {
  ServiceWontStart(EnumSet.of(CheckKey.PORT_OWNER)),
  WrongServer(EnumSet.of(CheckKey.DNS)),
  // "Some clients work" is DNS, HTTP/2 or MTU until proven otherwise.
  OneClientFails(EnumSet.of(CheckKey.HTTP2, CheckKey.DNS, CheckKey.MTU)),
  BigTransfersHang(EnumSet.of(CheckKey.MTU)),
  IntermittentDropouts(EnumSet.of(CheckKey.DUPLICATE_IP)),
  WorksOneDirection(EnumSet.of(CheckKey.ASYMMETRIC_ROUTE)),
  LocalhostCantConnect(EnumSet.of(CheckKey.LOOPBACK));

  private final Set<CheckKey> checks;

  Symptom(Set<CheckKey> checks) {
    this.checks = checks;
  }

  public Set<CheckKey> checks() {
    return EnumSet.copyOf(checks);
  }
}
