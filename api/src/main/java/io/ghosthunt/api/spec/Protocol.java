package io.ghosthunt.api.spec;

/** Transport protocol of a port. */
public enum Protocol {
  TCP,
  UDP
}
