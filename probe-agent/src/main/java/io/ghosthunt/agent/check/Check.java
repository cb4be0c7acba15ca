package io.ghosthunt.agent.check;

import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.status.Finding;
import java.util.List;

/**
 * One ghost check. Takes the resolved inputs, returns one finding per target. A check that cannot
 * run returns {@code Error} findings saying why; the runner bounds its time and turns anything it
 * throws into an {@code Error} finding too.
 */
public interface Check {

  CheckKey key();

  List<Finding> run(ChecksSpec checks, CheckContext context) throws Exception;

  /**
   * Starts, in the background, reading what {@link #run} will need, while the hunt is still being
   * parsed. Called when the hunt may include this check; it may not, so the work must be harmless
   * to waste.
   */
  default void prefetch() {}
}
