package io.ghosthunt.api.status;

import io.ghosthunt.api.CheckKey;

/** The seven classic ghosts (eight names: duplicateIp finds two kinds). */
public enum GhostName {
  OrphanedPort(CheckKey.PORT_OWNER),
  StaleDns(CheckKey.DNS),
  Http2Quirk(CheckKey.HTTP2),
  MtuBlackhole(CheckKey.MTU),
  DuplicateIp(CheckKey.DUPLICATE_IP),
  RogueDhcp(CheckKey.DUPLICATE_IP),
  AsymmetricRoute(CheckKey.ASYMMETRIC_ROUTE),
  LoopbackBlocked(CheckKey.LOOPBACK);

  private final CheckKey check;

  GhostName(CheckKey check) {
    this.check = check;
  }

  /** The check that finds this ghost. */
  public CheckKey check() {
    return check;
  }
}
