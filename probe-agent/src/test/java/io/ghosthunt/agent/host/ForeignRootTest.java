package io.ghosthunt.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.agent.host.ForeignRoot.Failure;
import io.ghosthunt.agent.host.ForeignRoot.Hop;
import io.ghosthunt.agent.host.ForeignRoot.Resolution;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node's or pod's links followed inside its root, never in the probe's. */
class ForeignRootTest {

  static final String STUB = "nameserver 127.0.0.53\n";

  @TempDir Path dir;
  Path root;

  @BeforeEach
  void aNodeWithSystemdResolved() throws Exception {
    root = Files.createDirectories(dir.resolve("host"));
    Files.createDirectories(root.resolve("etc"));
    Files.createDirectories(root.resolve("run/systemd/resolve"));
    Files.writeString(root.resolve("run/systemd/resolve/stub-resolv.conf"), STUB);
  }

  private Resolution resolve(String link) throws Exception {
    Files.createSymbolicLink(root.resolve("etc/resolv.conf"), Path.of(link));
    return ForeignRoot.whole(root).resolve("/etc/resolv.conf");
  }

  @Test
  void findingsNameTheNodesOwnPathNotTheProbesMountOfIt() {
    ForeignRoot node = ForeignRoot.partial(root, List.of("/etc", "/run/systemd/resolve"));
    assertEquals("/etc/resolv.conf", node.shown("/etc/resolv.conf"));
    assertEquals("/etc/hosts", new HostsFile(node, "/etc/hosts").shown());
    // A pod's root is named in full here; the pod hunt turns it into the pod's own path.
    assertEquals(root.resolve("etc/hosts").toString(), ForeignRoot.whole(root).shown("/etc/hosts"));
  }

  @Test
  void aPlainFileIsItself() throws Exception {
    Files.writeString(root.resolve("etc/hosts"), "127.0.0.1 localhost\n");
    Resolution r = ForeignRoot.whole(root).resolve("/etc/hosts");
    assertTrue(r.readable());
    assertFalse(r.linked());
    assertEquals("/etc/hosts", r.chain());
    assertEquals(root.resolve("etc/hosts"), r.real());
    assertEquals(List.of("127.0.0.1 localhost"), ForeignRoot.readAllLines(r));
    assertNull(r.problem());
  }

  @Test
  void aRelativeLinkIsFollowedFromItsFolder() throws Exception {
    Resolution r = resolve("../run/systemd/resolve/stub-resolv.conf");
    assertTrue(r.readable(), r.problem());
    assertEquals(root.resolve("run/systemd/resolve/stub-resolv.conf"), r.real());
    assertEquals(
        "/etc/resolv.conf -> ../run/systemd/resolve/stub-resolv.conf"
            + " = /run/systemd/resolve/stub-resolv.conf",
        r.chain());
    assertEquals(List.of("nameserver 127.0.0.53"), ForeignRoot.readAllLines(r));
  }

  @Test
  void anAbsoluteLinkIsFollowedInTheForeignRootNotTheProbes() throws Exception {
    Resolution r = resolve("/run/systemd/resolve/stub-resolv.conf");
    assertTrue(r.readable(), r.problem());
    assertEquals(root.resolve("run/systemd/resolve/stub-resolv.conf"), r.real());
    assertEquals("/run/systemd/resolve/stub-resolv.conf", r.resolved());
  }

  @Test
  void dotDotAboveTheRootStaysAtTheRoot() throws Exception {
    Resolution r = resolve("../../../../run/systemd/resolve/./stub-resolv.conf");
    assertTrue(r.readable(), r.problem());
    assertEquals(root.resolve("run/systemd/resolve/stub-resolv.conf"), r.real());
    assertTrue(
        ForeignRoot.whole(root)
            .resolve("/../../etc/../run/systemd/resolve/stub-resolv.conf")
            .readable());
  }

  @Test
  void aChainOfTwoLinksIsNamedHopByHop() throws Exception {
    Files.createSymbolicLink(
        root.resolve("etc/resolv.conf.current"), Path.of("/run/systemd/resolve/stub-resolv.conf"));
    Resolution r = resolve("resolv.conf.current");
    assertTrue(r.readable(), r.problem());
    assertEquals(
        List.of(
            new Hop("/etc/resolv.conf", "resolv.conf.current"),
            new Hop("/etc/resolv.conf.current", "/run/systemd/resolve/stub-resolv.conf")),
        r.hops());
    assertEquals(
        "/etc/resolv.conf -> resolv.conf.current = /etc/resolv.conf.current"
            + " -> /run/systemd/resolve/stub-resolv.conf = /run/systemd/resolve/stub-resolv.conf",
        r.chain());
  }

  @Test
  void aLinkInAFolderOnTheWayIsFollowedToo() throws Exception {
    Files.createSymbolicLink(root.resolve("var"), Path.of("run"));
    Resolution r = resolve("/var/systemd/resolve/stub-resolv.conf");
    assertTrue(r.readable(), r.problem());
    assertEquals("/run/systemd/resolve/stub-resolv.conf", r.resolved());
    assertEquals(2, r.hops().size());
  }

  @Test
  void aLoopIsStoppedAfterFortyLinks() throws Exception {
    Files.createSymbolicLink(root.resolve("etc/a"), Path.of("b"));
    Files.createSymbolicLink(root.resolve("etc/b"), Path.of("/etc/a"));
    Resolution r = resolve("a");
    assertEquals(Failure.LOOP, r.failure());
    assertEquals(ForeignRoot.MAX_LINKS, r.hops().size());
    assertTrue(
        r.problem().startsWith("cannot read /etc/resolv.conf -> a = /etc/a -> b"), r.problem());
    assertTrue(
        r.problem()
            .endsWith(" = ... 36 more links = /etc/b: more than 40 links at /etc/b (a loop)"),
        r.problem());
  }

  @Test
  void aDanglingLinkNamesTheMissingTarget() throws Exception {
    Resolution r = resolve("../run/systemd/resolve/resolv.conf");
    assertEquals(Failure.MISSING, r.failure());
    assertFalse(r.absent(), "a dangling link is no missing file");
    assertEquals(
        "cannot read /etc/resolv.conf -> ../run/systemd/resolve/resolv.conf"
            + " = /run/systemd/resolve/resolv.conf: /run/systemd/resolve/resolv.conf does not exist",
        r.problem());
  }

  @Test
  void aMissingPlainFileIsAbsent() {
    Resolution r = ForeignRoot.whole(root).resolve("/etc/resolv.conf");
    assertEquals(Failure.MISSING, r.failure());
    assertTrue(r.absent());
    assertEquals("cannot read /etc/resolv.conf: /etc/resolv.conf does not exist", r.problem());
  }

  @Test
  void aLinkIntoAFolderTheProbeDoesNotMountIsSaidSo() throws Exception {
    Files.createSymbolicLink(
        root.resolve("etc/resolv.conf"), Path.of("../run/NetworkManager/resolv.conf"));
    ForeignRoot node = ForeignRoot.partial(root, List.of("/etc", "/run/systemd/resolve"));
    Resolution r = node.resolve("/etc/resolv.conf");
    assertEquals(Failure.NOT_MOUNTED, r.failure());
    assertEquals("/run/NetworkManager", r.resolved());
    assertEquals(
        "cannot read /etc/resolv.conf -> ../run/NetworkManager/resolv.conf = /run/NetworkManager:"
            + " /run/NetworkManager is not mounted in the probe (under "
            + root
            + " it sees only /etc, /run/systemd/resolve)",
        r.problem());
    // The probe's own files there are not the node's, even when they exist.
    Files.createDirectories(root.resolve("run/NetworkManager"));
    Files.writeString(root.resolve("run/NetworkManager/resolv.conf"), STUB);
    assertEquals(Failure.NOT_MOUNTED, node.resolve("/etc/resolv.conf").failure());
  }

  @Test
  void aMountMissingFromTheProbeIsNotMountedAndAFileMissingInsideItIsMissing() throws Exception {
    Files.createSymbolicLink(
        root.resolve("etc/resolv.conf"), Path.of("../run/systemd/resolve/resolv.conf"));
    ForeignRoot node = ForeignRoot.partial(root, List.of("/etc", "/run/systemd/resolve"));
    assertEquals(Failure.MISSING, node.resolve("/etc/resolv.conf").failure());
    Files.delete(root.resolve("run/systemd/resolve/stub-resolv.conf"));
    Files.delete(root.resolve("run/systemd/resolve"));
    assertEquals(Failure.NOT_MOUNTED, node.resolve("/etc/resolv.conf").failure());
  }

  @Test
  void aFolderIsNoFile() {
    Resolution r = ForeignRoot.whole(root).resolve("/etc");
    assertEquals(Failure.NOT_A_FILE, r.failure());
    assertEquals("/etc is a folder", r.why());
  }
}
