package io.ghosthunt.lab.cluster;

import io.ghosthunt.lab.Lab;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The helm CLI that {@code scripts/control-plane.sh build} made from Helm's Go module, run as a
 * process with the arguments a user types ({@code helm install}, {@code upgrade}, {@code
 * uninstall}, {@code template}, {@code lint}). A failure throws with the command line and all that
 * helm printed. Helm runs in its own process, never inside this JVM: Helm's Go runtime, loaded into
 * a JVM (as helm-java did), takes SIGINT and SIGTERM from it, and Ctrl-C no longer ran the lab's
 * clean-up.
 */
public final class Helm {

  private Helm() {}

  /** The binary. */
  public static Path binary() {
    Path helm = Binaries.path("helm");
    if (!Files.isExecutable(helm)) {
      throw new IllegalStateException(
          "no helm in " + helm.getParent() + ": run scripts/control-plane.sh build first");
    }
    return helm;
  }

  /** {@code helm ARGS}, bounded by {@code timeout}; returns what helm printed (stdout, stderr). */
  public static String run(List<String> args, Duration timeout) {
    List<String> command = new ArrayList<>();
    command.add(binary().toString());
    command.addAll(args);
    Lab.Exec e = Lab.exec(command, timeout);
    if (e.exitCode() != 0) {
      throw new IllegalStateException(
          "helm " + String.join(" ", args) + ": exit " + e.exitCode() + "\n" + e.output());
    }
    return e.output();
  }

  /** {@code helm ARGS}, for the quick commands (template, lint, version): one minute at most. */
  public static String run(String... args) {
    return run(List.of(args), Duration.ofMinutes(1));
  }

  /** {@code --set key=value} for each value, in the order given. */
  public static List<String> set(Map<String, ?> values) {
    List<String> args = new ArrayList<>();
    values.forEach((k, v) -> args.addAll(List.of("--set", k + "=" + v)));
    return args;
  }
}
