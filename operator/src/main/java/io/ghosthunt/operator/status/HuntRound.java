package io.ghosthunt.operator.status;

import java.time.Duration;
import java.time.Instant;

/**
 * One round of a hunt as its status counts it: the spec it hunts, when it began and how long it may
 * take.
 *
 * @param generation the spec generation the round hunts
 * @param startedAt when the round began (its clock, kept across reconciles and restarts)
 * @param timeout the spec's timeoutSeconds
 * @param podHunt whether the targets are pods (spec.pods): the words of the summary and conditions
 */
public record HuntRound(long generation, String startedAt, Duration timeout, boolean podHunt) {

  public Instant deadline() {
    return Instant.parse(startedAt).plus(timeout);
  }
}
