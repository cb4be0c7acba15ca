package io.ghosthunt.agent.host;

import io.ghosthunt.agent.redact.Redactor;
import java.time.Instant;

/**
 * What /proc says about one process.
 *
 * @param pgid the process group; a group whose leader is gone marks a child its worker left behind
 * @param comm the kernel's process name (at most 15 characters)
 * @param commandLine argv joined by spaces; empty for kernel threads
 * @param container the container ID from the cgroup path, when the process runs in one
 * @param pod the pod UID from the cgroup path, when the process runs in a Kubernetes pod
 * @param unit the systemd unit from the cgroup path ({@code nginx.service}), when it runs in one
 */
public record ProcessInfo(
    int pid,
    int ppid,
    int pgid,
    String comm,
    String commandLine,
    Instant started,
    String container,
    String pod,
    String unit) {

  /** Script and archive suffixes an interpreter's argument carries: {@code app.jar} runs "app". */
  private static final java.util.regex.Pattern PROGRAM_SUFFIX =
      java.util.regex.Pattern.compile("\\.(jar|war|py|pyz|js|mjs|rb|pl|php|sh)$");

  /** argv[0]'s base name, the name a user would call the program by. */
  public String programName() {
    String argv0 = commandLine.isEmpty() ? comm : commandLine.split(" ", 2)[0];
    int slash = argv0.lastIndexOf('/');
    return slash >= 0 ? argv0.substring(slash + 1) : argv0;
  }

  /** Matched on any of the names a user may call the service by (see {@link #matchedBy}). */
  public boolean isNamed(String name) {
    return matchedBy(name) != null;
  }

  /**
   * How {@code name} names this process, or null when it does not: the kernel's process name,
   * argv[0] (also as {@code setproctitle} rewrites it, "gunicorn: master [app]"), the program an
   * interpreter runs ({@code java -jar app.jar}, {@code python3 -m app}, {@code python3
   * /srv/app.py}), or its systemd unit.
   */
  public String matchedBy(String name) {
    // comm is cut to 15 characters by the kernel.
    if (name.equals(comm) || (name.length() > 15 && comm.length() == 15 && name.startsWith(comm))) {
      return "process name";
    }
    String program = programName();
    if (name.equals(program)
        || program.endsWith(":") && name.equals(program.substring(0, program.length() - 1))) {
      return "argv[0]";
    }
    String[] args = commandLine.isEmpty() ? new String[0] : commandLine.split(" ");
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      if (args[i - 1].equals("-m") && (arg.equals(name) || arg.startsWith(name + "."))) {
        return "module " + arg;
      }
      String base = arg.substring(arg.lastIndexOf('/') + 1);
      if (!arg.startsWith("-")
          && (base.equals(name) || PROGRAM_SUFFIX.matcher(base).replaceFirst("").equals(name))) {
        return "argument " + arg;
      }
    }
    if (unit != null && (name.equals(unit) || unit.equals(name + ".service"))) {
      return "systemd unit " + unit;
    }
    return null;
  }

  /** The service manager (PID 1, systemd) that holds a socket for socket activation. */
  public boolean isServiceManager() {
    return pid == 1 || "systemd".equals(comm);
  }

  /**
   * How the process reads in a summary: PID and command line, redacted, then cut to stay one
   * readable line. Redacted before the cut: what is left of a cut secret may no longer look like
   * one.
   */
  public String describe() {
    String cmd = commandLine.isEmpty() ? "[" + comm + "]" : Redactor.redact(commandLine);
    return pid + " (" + (cmd.length() > 60 ? cmd.substring(0, 59) + "…" : cmd) + ")";
  }
}
