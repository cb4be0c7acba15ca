package io.ghosthunt.agent.host;

import java.time.Instant;

/**
 * What /proc says about one process.
 *
 * @param pgid the process group; a group whose leader is gone marks a child its worker left behind
 * @param comm the kernel's process name (at most 15 characters)
 * @param commandLine argv joined by spaces; empty for kernel threads
 * @param container the container ID from the cgroup path, when the process runs in one
 * @param pod the pod UID from the cgroup path, when the process runs in a Kubernetes pod
 */
public record ProcessInfo(int pid, int ppid, int pgid, String comm, String commandLine, Instant started, String container,
    String pod) {

  /** argv[0]'s base name, the name a user would call the program by. */
  public String programName() {
    String argv0 = commandLine.isEmpty() ? comm : commandLine.split(" ", 2)[0];
    int slash = argv0.lastIndexOf('/');
    return slash >= 0 ? argv0.substring(slash + 1) : argv0;
  }

  /** Matched on the process name or argv[0]'s base name, as users name a service. */
  public boolean isNamed(String name) {
    return name.equals(comm) || name.equals(programName())
        // comm is cut to 15 characters by the kernel.
        || (name.length() > 15 && comm.length() == 15 && name.startsWith(comm));
  }

  /** How the process reads in a summary: PID and command line, cut to stay one readable line. */
  public String describe() {
    String cmd = commandLine.isEmpty() ? "[" + comm + "]" : commandLine;
    return pid + " (" + (cmd.length() > 60 ? cmd.substring(0, 59) + "…" : cmd) + ")";
  }
}
