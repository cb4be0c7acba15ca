package io.ghosthunt.agent.host;

import static io.ghosthunt.agent.host.Answers.answer;
import static io.ghosthunt.agent.host.Answers.rcode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.agent.host.DnsClient.Answer;
import io.ghosthunt.agent.host.PodResolver.Step;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pod's names resolved as glibc would in the pod: its hosts file, then its nameservers with the
 * search list in ndots' order. The servers are scripted; none is asked.
 */
class PodResolverTest {

  static final List<String> CLUSTER =
      List.of("shop.svc.cluster.local", "svc.cluster.local", "cluster.local");
  static final String KUBELET_CONF =
      "search shop.svc.cluster.local svc.cluster.local cluster.local\n"
          + "nameserver 10.96.0.10\n"
          + "options ndots:5\n";
  static final Duration BUDGET = Duration.ofSeconds(5);

  @TempDir Path dir;
  Path pod;
  ForeignRoot root;

  /** Answers by "server name"; every name not scripted is NXDOMAIN. */
  final Map<String, Answer> script = new HashMap<>();

  final List<String> asked = new ArrayList<>();

  @BeforeEach
  void aPod() throws Exception {
    pod = Files.createDirectories(dir.resolve("proc/4242/root"));
    Files.createDirectories(pod.resolve("etc"));
    Files.writeString(
        pod.resolve("etc/hosts"), "127.0.0.1 localhost\n# hostAliases\n203.0.113.30 old.example\n");
    Files.writeString(pod.resolve("etc/resolv.conf"), KUBELET_CONF);
    root = ForeignRoot.whole(pod);
  }

  private PodResolver resolver() {
    return new PodResolver(
        new HostsFile(root, "/etc/hosts"),
        root,
        "/etc/resolv.conf",
        (server, name, timeout) -> {
          String key = Addresses.text(server) + " " + name;
          asked.add(key);
          return script.getOrDefault(key, rcode("NXDOMAIN", 30));
        });
  }

  private static Answer silence() {
    return new Answer(null, "timed out after 2000 ms", false, List.of(), List.of(), -1, null);
  }

  private static List<InetAddress> ips(String... a) {
    return List.of(a).stream().map(Addresses::literal).toList();
  }

  @Test
  void aShortNameUnderNdotsTriesEachSearchDomainFirst() {
    assertEquals(
        List.of("web.shop.svc.cluster.local", "web.svc.cluster.local", "web.cluster.local", "web"),
        PodResolver.candidates("web", CLUSTER, 5));
    assertEquals(
        List.of(
            "api.example.com.shop.svc.cluster.local",
            "api.example.com.svc.cluster.local",
            "api.example.com.cluster.local",
            "api.example.com"),
        PodResolver.candidates("api.example.com", CLUSTER, 5));
  }

  @Test
  void aNameWithNdotsDotsIsTriedAsItIsFirst() {
    assertEquals(
        List.of("api.example.com", "api.example.com.corp.test"),
        PodResolver.candidates("api.example.com", List.of("corp.test"), 1));
    assertEquals(
        List.of("web", "web.corp.test"), PodResolver.candidates("web", List.of("corp.test"), 0));
  }

  @Test
  void aTrailingDotOrNoSearchListAsksTheNameAlone() {
    assertEquals(List.of("web.example."), PodResolver.candidates("web.example.", CLUSTER, 5));
    assertEquals(List.of("web"), PodResolver.candidates("web", List.of(), 5));
  }

  @Test
  void aRootSearchDomainIsTheNameAsItIsAskedOnce() {
    assertEquals(
        List.of("web.a.test", "web"), PodResolver.candidates("web", List.of("a.test", "."), 5));
  }

  @Test
  void theSearchGoesOnPastNoSuchNameNoAddressAndServfailButNotPastSilence() {
    assertEquals(Step.FOUND, PodResolver.step(answer(30, "192.0.2.1")));
    assertEquals(Step.NEXT, PodResolver.step(rcode("NXDOMAIN", 30)));
    assertEquals(Step.NEXT, PodResolver.step(rcode("NOERROR", 30)));
    assertEquals(Step.NEXT, PodResolver.step(rcode("SERVFAIL", 30)));
    assertEquals(Step.AS_IS, PodResolver.step(rcode("REFUSED", 30)));
    assertEquals(Step.STOP, PodResolver.step(silence()));
  }

  @Test
  void aRefusalJumpsToTheNameAsItIsWhenItIsStillAhead() {
    assertEquals(3, PodResolver.next(Step.AS_IS, 0, 3, 4));
    assertEquals(-1, PodResolver.next(Step.AS_IS, 1, 0, 2));
    assertEquals(2, PodResolver.next(Step.NEXT, 1, 3, 4));
    assertEquals(-1, PodResolver.next(Step.NEXT, 3, 3, 4));
    assertEquals(-1, PodResolver.next(Step.STOP, 0, 3, 4));
  }

  @Test
  void thePodsHostsFileAnswersFirstAndNoServerIsAsked() {
    script.put("10.96.0.10 old.example", answer(30, "203.0.113.40"));
    PodResolver.Result r = resolver().resolve("old.example", BUDGET);
    assertEquals(ips("203.0.113.30"), r.addresses());
    assertEquals(pod.resolve("etc/hosts") + " line 3", r.resolvedBy());
    assertNull(r.failure());
    assertEquals(List.of(), asked);
  }

  @Test
  void aServiceNameResolvesThroughItsSearchExpansion() {
    script.put("10.96.0.10 web.shop.svc.cluster.local", answer(30, "10.96.5.5"));
    PodResolver.Result r = resolver().resolve("web", BUDGET);
    assertEquals(ips("10.96.5.5"), r.addresses());
    assertEquals(
        "nameserver 10.96.0.10 (search expansion web.shop.svc.cluster.local)", r.resolvedBy());
    assertEquals(List.of("10.96.0.10 web.shop.svc.cluster.local"), asked);
  }

  @Test
  void anExternalNameIsAskedAfterEverySearchExpansionFailed() {
    script.put("10.96.0.10 api.example.com", answer(30, "192.0.2.80", "2001:db8::80"));
    PodResolver.Result r = resolver().resolve("api.example.com", BUDGET);
    assertEquals(ips("192.0.2.80", "2001:db8::80"), r.addresses());
    assertEquals("nameserver 10.96.0.10", r.resolvedBy());
    assertEquals(4, asked.size(), asked.toString());
  }

  @Test
  void aFailingServerIsPassedForTheNextOne() throws Exception {
    Files.writeString(
        pod.resolve("etc/resolv.conf"), "nameserver 192.0.2.53\nnameserver 192.0.2.54\n");
    script.put("192.0.2.53 db.corp.test", rcode("SERVFAIL", 30));
    script.put("192.0.2.54 db.corp.test", answer(30, "192.0.2.7"));
    PodResolver.Result r = resolver().resolve("db.corp.test", BUDGET);
    assertEquals("nameserver 192.0.2.54", r.resolvedBy());
    assertEquals(ips("192.0.2.7"), r.addresses());
  }

  @Test
  void noSuchNameAnywhereSaysWhichNamesWereAsked() {
    PodResolver.Result r = resolver().resolve("nope", BUDGET);
    assertFalse(r.resolved());
    assertNull(r.resolvedBy());
    assertTrue(r.denied());
    assertEquals(
        "not in "
            + pod.resolve("etc/hosts")
            + "; nameserver 10.96.0.10 answers NXDOMAIN for nope.shop.svc.cluster.local,"
            + " nope.svc.cluster.local, nope.cluster.local, nope",
        r.failure());
  }

  @Test
  void silentServersEndTheSearchAtTheFirstName() throws Exception {
    Files.writeString(
        pod.resolve("etc/resolv.conf"),
        "search corp.test\nnameserver 192.0.2.53\nnameserver 192.0.2.54\n");
    script.put("192.0.2.53 db.corp.test", silence());
    script.put("192.0.2.54 db.corp.test", silence());
    PodResolver.Result r = resolver().resolve("db", BUDGET);
    assertFalse(r.denied());
    assertEquals(
        "not in "
            + pod.resolve("etc/hosts")
            + "; no answer from nameservers 192.0.2.53, 192.0.2.54 (timed out after 2000 ms)"
            + " for db.corp.test",
        r.failure());
    assertEquals(2, asked.size(), asked.toString());
  }

  @Test
  void aRefusalLeavesOnlyTheNameAsItIs() {
    script.put("10.96.0.10 web.shop.svc.cluster.local", rcode("REFUSED", 30));
    script.put("10.96.0.10 web", answer(30, "192.0.2.9"));
    PodResolver.Result r = resolver().resolve("web", BUDGET);
    assertEquals("nameserver 10.96.0.10", r.resolvedBy());
    assertEquals(List.of("10.96.0.10 web.shop.svc.cluster.local", "10.96.0.10 web"), asked);
  }

  @Test
  void resolvConfsAbsoluteLinkIsFollowedInsideThePod() throws Exception {
    Files.delete(pod.resolve("etc/resolv.conf"));
    Files.createDirectories(pod.resolve("run"));
    Files.writeString(pod.resolve("run/resolv.conf"), "nameserver 192.0.2.99\n");
    Files.createSymbolicLink(pod.resolve("etc/resolv.conf"), Path.of("/run/resolv.conf"));
    script.put("192.0.2.99 db.corp.test", answer(30, "192.0.2.7"));
    assertEquals("nameserver 192.0.2.99", resolver().resolve("db.corp.test", BUDGET).resolvedBy());
  }

  @Test
  void withoutResolvConfGlibcAsksTheLocalHost() throws Exception {
    Files.delete(pod.resolve("etc/resolv.conf"));
    script.put("127.0.0.1 db.corp.test", answer(30, "192.0.2.7"));
    assertEquals("nameserver 127.0.0.1", resolver().resolve("db.corp.test", BUDGET).resolvedBy());
  }

  @Test
  void anUnreadableResolvConfIsSaidAndNoServerIsGuessed() throws Exception {
    Files.delete(pod.resolve("etc/resolv.conf"));
    Files.createSymbolicLink(pod.resolve("etc/resolv.conf"), Path.of("resolv.conf"));
    PodResolver.Result r = resolver().resolve("db.corp.test", BUDGET);
    assertFalse(r.resolved());
    assertFalse(r.denied());
    assertTrue(r.failure().contains("cannot read /etc/resolv.conf -> resolv.conf"), r.failure());
    assertEquals(List.of(), asked);
  }

  @Test
  void anAnswerDespiteAnUnreadHostsFileSaysSo() throws Exception {
    Files.delete(pod.resolve("etc/hosts"));
    Files.createSymbolicLink(pod.resolve("etc/hosts"), Path.of("hosts"));
    script.put("10.96.0.10 old.example", answer(30, "203.0.113.40"));
    PodResolver.Result r = resolver().resolve("old.example", BUDGET);
    assertEquals(ips("203.0.113.40"), r.addresses());
    assertTrue(
        r.resolvedBy().startsWith("nameserver 10.96.0.10; cannot read /etc/hosts -> hosts"),
        r.resolvedBy());
  }
}
