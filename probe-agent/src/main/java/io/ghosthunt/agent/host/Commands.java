package io.ghosthunt.agent.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs a host tool (nft, conntrack, ip) with a bound on its time, capturing its output. */
public final class Commands {

  /**
   * What a tool said. {@code exitCode} is -1 when it could not be started, -2 when it timed out.
   */
  public record Result(List<String> command, int exitCode, String stdout, String stderr) {
    public boolean ok() {
      return exitCode == 0;
    }

    /** One line that says why the tool failed, for an Error finding. */
    public String failure() {
      String why =
          switch (exitCode) {
            case -1 -> "could not start: " + stderr;
            case -2 -> "timed out";
            default ->
                "exit "
                    + exitCode
                    + (stderr.isBlank()
                        ? ""
                        : ": " + stderr.strip().lines().findFirst().orElse(""));
          };
      return String.join(" ", command) + " " + why;
    }
  }

  private Commands() {}

  public static Result run(Duration timeout, String... command) {
    List<String> cmd = List.of(command);
    Process p;
    try {
      p =
          new ProcessBuilder(cmd)
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .start();
    } catch (IOException e) {
      return new Result(cmd, -1, "", e.getMessage());
    }
    // Read both streams concurrently so that a chatty tool never blocks on a full pipe.
    CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()));
    CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()));
    try {
      if (!p.waitFor(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Result(cmd, -2, "", "");
      }
      return new Result(cmd, p.exitValue(), out.get(), err.get());
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return new Result(cmd, -2, "", "interrupted");
    } catch (java.util.concurrent.ExecutionException e) {
      return new Result(cmd, -1, "", String.valueOf(e.getCause()));
    }
  }

  private static String drain(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
