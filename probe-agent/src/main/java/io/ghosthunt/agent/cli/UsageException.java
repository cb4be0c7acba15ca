package io.ghosthunt.agent.cli;

/** Bad input from the user: printed with a hint, exit code 2. */
public class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  public UsageException(String message) {
    super(message);
  }
}
