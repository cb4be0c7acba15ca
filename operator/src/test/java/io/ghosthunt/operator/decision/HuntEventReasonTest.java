package io.ghosthunt.operator.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class HuntEventReasonTest {

  @Test
  void aBlockedHuntsEventHasTheReasonOfItsCondition() {
    // kubectl describe shows the Event next to the condition: one word for one cause.
    for (Blocker.BlockReason reason : Blocker.BlockReason.values()) {
      assertEquals(reason.name(), HuntEventReason.blockedBy(new Blocker(reason, "fix it")).name());
    }
  }
}
