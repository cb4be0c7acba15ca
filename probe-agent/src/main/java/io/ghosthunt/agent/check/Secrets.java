package io.ghosthunt.agent.check;

import java.io.IOException;

/**
 * Where a check gets the content of a Secret the spec references (a CA bundle, say): the API server
 * for the in-cluster agent, a local file for {@code ghosthunt check}.
 */
@FunctionalInterface
public interface Secrets {

  byte[] read(String name, String key) throws IOException;

  /** No source: a local run that was given none. */
  Secrets NONE =
      (name, key) -> {
        throw new IOException(
            "Secret "
                + name
                + " is read by the in-cluster agent; locally, pass its content with --ca-file FILE");
      };
}
