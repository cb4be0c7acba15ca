package io.ghosthunt.agent.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.api.CheckKey;
import io.ghosthunt.api.status.Finding;
import io.ghosthunt.api.status.FindingVerdict;
import io.ghosthunt.api.status.GhostName;
import io.ghosthunt.lab.Lab;
import io.ghosthunt.lab.LabHost;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Tuesday possession, reproduced: a crashed worker's child squats the port java wants. */
class PortOwnerIT {

  private Lab lab;
  private LabHost node;

  @BeforeEach
  void lab() {
    lab = new Lab();
    node = lab.host("node");
  }

  @AfterEach
  void cleanUp() {
    lab.close();
  }

  private LabHost.Run hunt(int port, String expected) {
    String spec =
        "checks:\n  portOwner:\n    ports: ["
            + port
            + "]\n"
            + (expected == null ? "" : "    expectedProcess: " + expected + "\n");
    return node.ghosthunt(
        "check",
        "-f",
        node.file("hunt.yaml", Hunts.hunt("tuesday", spec)).toString(),
        "-o",
        "json",
        "--node",
        "node-a");
  }

  @Test
  void orphanedChildOfACrashedWorkerIsNamedWithItsPid() {
    int squatter = node.orphanedListener("0.0.0.0", 8080);

    LabHost.Run run = hunt(8080, "java");

    assertEquals(1, run.exitCode(), run.stdout() + run.stderr());
    assertEquals("node-a", Hunts.node(run).getNode());
    Finding f = Hunts.finding(run, CheckKey.PORT_OWNER, "tcp/8080");
    assertEquals(FindingVerdict.Ghost, f.getVerdict());
    assertEquals(GhostName.OrphanedPort, f.getGhost());
    assertEquals(Integer.toString(squatter), f.getEvidence().get("pid"));
    assertEquals("sleep 3600", f.getEvidence().get("command"));
    assertEquals("sleep", f.getEvidence().get("process"));
    assertEquals("0.0.0.0:8080", f.getEvidence().get("listen"));
    assertTrue(f.getEvidence().get("orphaned").startsWith("yes"), f.getEvidence().toString());
    assertTrue(
        f.getSummary().startsWith("port 8080 is held by PID " + squatter + " (sleep 3600)"),
        f.getSummary());
    assertTrue(f.getSummary().endsWith("not by java; its parent exited"), f.getSummary());
    assertTrue(
        f.getRemediation().startsWith("kill " + squatter + ", then restart java"),
        f.getRemediation());
  }

  @Test
  void cleanTwinTheExpectedProcessHoldsThePort() {
    int owner = node.listen("0.0.0.0", 8080);

    LabHost.Run run = hunt(8080, "python3");

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.PORT_OWNER, "tcp/8080");
    assertEquals(FindingVerdict.Clear, f.getVerdict());
    assertNull(f.getGhost());
    assertEquals(Integer.toString(owner), f.getEvidence().get("pid"));
    assertTrue(f.getSummary().endsWith("the expected python3"), f.getSummary());
  }

  @Test
  void withoutAnExpectedProcessTheHolderIsNamedAndTheVerdictStaysClear() {
    int owner = node.orphanedListener("127.0.0.1", 9090);

    LabHost.Run run = hunt(9090, null);

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.PORT_OWNER, "tcp/9090");
    assertEquals(FindingVerdict.Clear, f.getVerdict());
    assertEquals(Integer.toString(owner), f.getEvidence().get("pid"));
    assertEquals("127.0.0.1:9090", f.getEvidence().get("listen"));
  }

  @Test
  void aFreePortIsClearAndSaysTheGhostIsElsewhere() {
    node.listen("0.0.0.0", 8081);

    LabHost.Run run = hunt(8080, "java");

    assertEquals(0, run.exitCode(), run.stdout() + run.stderr());
    Finding f = Hunts.finding(run, CheckKey.PORT_OWNER, "tcp/8080");
    assertEquals(FindingVerdict.Clear, f.getVerdict());
    assertEquals("port 8080 is free: the ghost is elsewhere", f.getSummary());
    assertNull(f.getEvidence());
  }

  /**
   * A service as real service managers and servers run it, from a script named app.py: "prefork" a
   * server "myserver" whose worker child ("worker") shares its socket; "activation" a "systemd"
   * that holds the socket and passes it to the service "app" it started; "title" a server whose
   * argv[0] setproctitle rewrote ("gunicorn: master [app]"); "plain" python3 running app.py (the
   * manager runs as init.py). Returns the PIDs.
   */
  private java.util.List<Integer> service(String mode, int port) {
    java.nio.file.Path pids = node.file("pids-" + mode, "");
    // In a folder of its own, so that the script's file name is exactly app.py.
    java.nio.file.Path script =
        node.file("app-" + mode + "/app.py".replace('/', '-'), "")
            .resolveSibling(node.ns() + "-srv")
            // The service manager's own command line must not name the service it starts.
            .resolve(mode.equals("activation") ? "init.py" : "app.py");
    write(
        script,
        """
        import ctypes, os, socket, sys, time
        mode, port, pidfile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
        if mode == 'title':
            os.execv(sys.executable, ['gunicorn: master [app]', __file__, 'titled', str(port), pidfile])
        libc = ctypes.CDLL(None)
        def name(n):
            libc.prctl(15, n.encode(), 0, 0, 0)
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(('127.0.0.1', port))
        s.listen(8)
        if os.fork():
            os._exit(0)
        os.setsid()
        held = [os.getpid()]
        if mode in ('prefork', 'activation'):
            name('myserver' if mode == 'prefork' else 'systemd')
            child = os.fork()
            if child == 0:
                name('worker' if mode == 'prefork' else 'app')
                time.sleep(3600)
                os._exit(0)
            held.append(child)
        with open(pidfile, 'w') as f:
            f.write(' '.join(map(str, held)))
        time.sleep(3600)
        """);
    // The script forks into the background once it listens; its PIDs follow a moment later.
    node.daemon("python3 " + script + " " + mode + " " + port + " " + pids, "app-" + mode + ".log");
    node.sh(
        "i=0; until [ -s "
            + pids
            + " ]; do i=$((i + 1)); [ $i -le 50 ] || exit 1; sleep 0.1; done");
    return java.util.Arrays.stream(node.sh("cat " + pids).trim().split(" "))
        .map(Integer::valueOf)
        .toList();
  }

  @Test
  void aPreforkServersWorkerSharingItsSocketIsNoSquatter() {
    java.util.List<Integer> pids = service("prefork", 8082);

    Finding f = Hunts.finding(hunt(8082, "myserver"), CheckKey.PORT_OWNER, "tcp/8082");

    assertEquals(FindingVerdict.Clear, f.getVerdict(), f.getSummary() + " " + f.getEvidence());
    assertTrue(
        f.getEvidence().get("holders").contains(pids.get(1) + " "), f.getEvidence().toString());
    assertEquals("process name", f.getEvidence().get("matchedBy"));
  }

  @Test
  void theExpectedNameMatchesArgv0AsSetproctitleWroteItAndTheProgramAnInterpreterRuns() {
    service("title", 8083);
    service("plain", 8084);

    Finding title = Hunts.finding(hunt(8083, "gunicorn"), CheckKey.PORT_OWNER, "tcp/8083");
    Finding plain = Hunts.finding(hunt(8084, "app"), CheckKey.PORT_OWNER, "tcp/8084");

    assertEquals(
        FindingVerdict.Clear, title.getVerdict(), title.getSummary() + " " + title.getEvidence());
    assertEquals("argv[0]", title.getEvidence().get("matchedBy"));
    assertEquals(
        FindingVerdict.Clear, plain.getVerdict(), plain.getSummary() + " " + plain.getEvidence());
    assertTrue(
        plain.getEvidence().get("matchedBy").matches("argument /\\S+app\\.py"),
        plain.getEvidence().toString());
    // The clean twins' mirror: a name none of them carries is still a squatter.
    assertEquals(
        FindingVerdict.Ghost,
        Hunts.finding(hunt(8084, "java"), CheckKey.PORT_OWNER, "tcp/8084").getVerdict());
  }

  @Test
  void socketActivationIsNoSquatterAndTheServiceManagerIsNeverToBeKilled() {
    java.util.List<Integer> pids = service("activation", 8085);
    int manager = pids.get(0);

    Finding started = Hunts.finding(hunt(8085, "app"), CheckKey.PORT_OWNER, "tcp/8085");
    Finding other = Hunts.finding(hunt(8085, "java"), CheckKey.PORT_OWNER, "tcp/8085");
    node.sh("kill " + pids.get(1));
    Finding waiting = Hunts.finding(hunt(8085, "app"), CheckKey.PORT_OWNER, "tcp/8085");

    assertEquals(
        FindingVerdict.Clear,
        started.getVerdict(),
        started.getSummary() + " " + started.getEvidence());
    assertTrue(started.getSummary().endsWith("(socket activation)"), started.getSummary());
    // The service holds the port where java should: the service is named, never its manager.
    assertEquals(FindingVerdict.Ghost, other.getVerdict(), other.getSummary());
    assertEquals(Integer.toString(pids.get(1)), other.getEvidence().get("pid"));
    assertTrue(
        other.getRemediation().startsWith("kill " + pids.get(1) + ", then restart java"),
        other.getRemediation());
    assertTrue(
        !other.getRemediation().matches(".*\\bkill (1|" + manager + ")\\b.*"),
        other.getRemediation());
    // Only the manager holds it: the service starts on the first connection, as designed.
    assertEquals(
        FindingVerdict.Clear,
        waiting.getVerdict(),
        waiting.getSummary() + " " + waiting.getEvidence());
    assertTrue(
        waiting
            .getSummary()
            .endsWith(
                "the service manager holds it for socket activation, and app starts on the"
                    + " first connection"),
        waiting.getSummary());
  }

  private static void write(java.nio.file.Path file, String content) {
    try {
      java.nio.file.Files.createDirectories(file.getParent());
      java.nio.file.Files.writeString(file, content);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
