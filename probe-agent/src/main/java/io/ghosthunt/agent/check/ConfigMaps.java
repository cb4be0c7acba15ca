package io.ghosthunt.agent.check;

import java.io.IOException;

/**
 * Where a check gets the content of a ConfigMap the spec references (a CA bundle): the API server
 * for the in-cluster agent, a local file for {@code ghosthunt check}. Never a Secret: what a check
 * needs is public, and a probe that can read no Secret cannot leak one.
 */
@FunctionalInterface
public interface ConfigMaps {

  byte[] read(String name, String key) throws IOException;

  /** No source: a local run that was given none. */
  ConfigMaps NONE =
      (name, key) -> {
        throw new IOException(
            "ConfigMap "
                + name
                + " is read by the in-cluster agent; locally, pass its content with --ca-file FILE");
      };
}
