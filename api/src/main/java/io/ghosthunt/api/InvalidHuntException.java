package io.ghosthunt.api;

import java.util.List;

/** A hunt that cannot run as written; every problem is listed, each naming its field. */
public class InvalidHuntException extends Exception {
  private static final long serialVersionUID = 1L;

  private final List<String> problems;

  public InvalidHuntException(List<String> problems) {
    super(String.join("; ", problems));
    this.problems = List.copyOf(problems);
  }

  public List<String> problems() {
    return problems;
  }
}
