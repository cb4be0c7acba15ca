package io.ghosthunt.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ProcessInfoTest {

  static ProcessInfo process(String comm, String commandLine, String unit) {
    return new ProcessInfo(4242, 1, 4242, comm, commandLine, Instant.EPOCH, null, null, unit);
  }

  @Test
  void aServiceIsNamedByItsProcessNameArgv0ItsProgramOrItsUnit() {
    assertEquals(
        "process name",
        process("nginx", "nginx: master process /usr/sbin/nginx", null).matchedBy("nginx"));
    assertEquals(
        "argv[0]", process("python3", "gunicorn: master [app]", null).matchedBy("gunicorn"));
    assertEquals(
        "argv[0]",
        process("postmaster", "/usr/lib/postgresql/15/bin/postgres -D /var/lib/db", null)
            .matchedBy("postgres"));
    assertEquals(
        "argument /opt/app/app.jar",
        process("java", "java -Xmx1g -jar /opt/app/app.jar", null).matchedBy("app"));
    assertEquals(
        "argument /opt/app/app.jar",
        process("java", "java -jar /opt/app/app.jar", null).matchedBy("app.jar"));
    assertEquals(
        "module app.server",
        process("python3", "python3 -m app.server --port 80", null).matchedBy("app"));
    assertEquals(
        "argument /srv/api.py",
        process("python3", "/usr/bin/python3 /srv/api.py", null).matchedBy("api"));
    assertEquals(
        "systemd unit shop.service",
        process("java", "java -cp x Main", "shop.service").matchedBy("shop"));
    // The kernel cuts comm to 15 characters.
    assertEquals(
        "process name", process("kube-controller", "", null).matchedBy("kube-controller-manager"));
  }

  @Test
  void otherNamesDoNotMatch() {
    assertNull(process("sleep", "sleep 3600", null).matchedBy("java"));
    assertNull(process("java", "java -jar /opt/app/app.jar", null).matchedBy("-jar"));
    assertNull(process("python3", "python3 -m http.server", null).matchedBy("server"));
    assertNull(process("java", "java -jar shop.jar", "other.service").matchedBy("app"));
  }

  @Test
  void pid1AndSystemdAreTheServiceManager() {
    assertTrue(
        new ProcessInfo(1, 0, 1, "init", "/sbin/init", Instant.EPOCH, null, null, null)
            .isServiceManager());
    assertTrue(process("systemd", "/lib/systemd/systemd --user", null).isServiceManager());
    assertTrue(!process("java", "java", null).isServiceManager());
  }

  @Test
  void describeRedactsTheCommandLineBeforeItCutsIt() {
    // Cut first, what is left ("postgres://admin:hunter2…") has lost the @ that marks a password.
    ProcessInfo p =
        process(
            "worker", "worker --queue=jobs --retries=3 -v postgres://admin:hunter2@db/jobs", null);
    assertEquals("4242 (worker --queue=jobs --retries=3 -v postgres://***@db/jobs)", p.describe());
    ProcessInfo kernel = process("kworker/0:1", "", null);
    assertEquals("4242 ([kworker/0:1])", kernel.describe());
  }
}
