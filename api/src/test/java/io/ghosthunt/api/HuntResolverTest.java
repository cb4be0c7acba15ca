package io.ghosthunt.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.spec.DnsSpec;
import io.ghosthunt.api.spec.DuplicateIpSpec;
import io.ghosthunt.api.spec.GhostHuntSpec;
import io.ghosthunt.api.spec.Http2Spec;
import io.ghosthunt.api.spec.LoopbackSpec;
import io.ghosthunt.api.spec.MtuSpec;
import io.ghosthunt.api.spec.NodeSelection;
import io.ghosthunt.api.spec.PodSelection;
import io.ghosthunt.api.spec.PortOwnerSpec;
import io.ghosthunt.api.spec.Protocol;
import io.ghosthunt.api.spec.Selector;
import io.ghosthunt.api.spec.SelectorRequirement;
import io.ghosthunt.api.spec.Symptom;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class HuntResolverTest {

  private static GhostHuntSpec target(String target) {
    GhostHuntSpec spec = new GhostHuntSpec();
    spec.setTarget(target);
    return spec;
  }

  @Test
  void urlTargetGivesEveryCheckItsInput() throws Exception {
    ResolvedHunt r = HuntResolver.resolve(target("https://app.example.com:8443/health"));
    assertEquals(EnumSet.allOf(CheckKey.class), r.keys());
    ChecksSpec c = r.checks();
    assertEquals(List.of(8443), c.getPortOwner().getPorts());
    assertEquals(Protocol.TCP, c.getPortOwner().getProtocol());
    assertNull(c.getPortOwner().getExpectedProcess());
    assertEquals(List.of(8443), c.getLoopback().getPorts());
    assertEquals(List.of("app.example.com"), c.getDns().getNames());
    assertEquals(List.of(), c.getDns().getAuthorities());
    assertEquals(List.of("https://app.example.com:8443/health"), c.getHttp2().getUrls());
    assertFalse(c.getHttp2().getInsecureSkipTlsVerify());
    assertEquals(List.of("app.example.com"), c.getMtu().getTargets());
    assertEquals(List.of("app.example.com"), c.getAsymmetricRoute().getPeers());
    assertEquals(
        List.of(), c.getDuplicateIp().getAddresses(), "empty means the node's own addresses");
    assertFalse(c.getDuplicateIp().getDhcp());
    assertTrue(r.skipped().isEmpty(), r.skipped()::toString);
  }

  @Test
  void ipHostAndPortSkipsDnsAndHttp2AndSaysWhy() throws Exception {
    ResolvedHunt r = HuntResolver.resolve(target("192.0.2.10:5432"));
    assertEquals(
        EnumSet.of(
            CheckKey.PORT_OWNER,
            CheckKey.LOOPBACK,
            CheckKey.MTU,
            CheckKey.ASYMMETRIC_ROUTE,
            CheckKey.DUPLICATE_IP),
        r.keys());
    assertEquals(List.of("192.0.2.10"), r.checks().getMtu().getTargets());
    assertTrue(
        r.skipped().stream()
            .anyMatch(s -> s.startsWith("dns: skipped") && s.contains("IP address")),
        r.skipped()::toString);
    assertTrue(
        r.skipped().stream()
            .anyMatch(s -> s.startsWith("http2: skipped") && s.contains("not an http(s) URL")),
        r.skipped()::toString);
  }

  @Test
  void bareHostSkipsThePortChecks() throws Exception {
    ResolvedHunt r = HuntResolver.resolve(target("db.example.com"));
    assertFalse(r.keys().contains(CheckKey.PORT_OWNER));
    assertFalse(r.keys().contains(CheckKey.LOOPBACK));
    assertTrue(r.keys().contains(CheckKey.DNS));
    assertTrue(
        r.skipped().stream()
            .anyMatch(s -> s.startsWith("portOwner: skipped") && s.contains("no port")));
  }

  @ParameterizedTest
  @EnumSource(Symptom.class)
  void symptomNarrowsTheTargetToItsChecks(Symptom symptom) throws Exception {
    GhostHuntSpec spec = target("https://app.example.com:8443/health");
    spec.setSymptom(symptom);
    assertEquals(symptom.checks(), HuntResolver.resolve(spec).keys());
  }

  @Test
  void symptomTableMatchesTheDesign() {
    assertEquals(EnumSet.of(CheckKey.PORT_OWNER), Symptom.ServiceWontStart.checks());
    assertEquals(EnumSet.of(CheckKey.DNS), Symptom.WrongServer.checks());
    assertEquals(
        EnumSet.of(CheckKey.HTTP2, CheckKey.DNS, CheckKey.MTU), Symptom.OneClientFails.checks());
    assertEquals(EnumSet.of(CheckKey.MTU), Symptom.BigTransfersHang.checks());
    assertEquals(EnumSet.of(CheckKey.DUPLICATE_IP), Symptom.IntermittentDropouts.checks());
    assertEquals(EnumSet.of(CheckKey.ASYMMETRIC_ROUTE), Symptom.WorksOneDirection.checks());
    assertEquals(EnumSet.of(CheckKey.LOOPBACK), Symptom.LocalhostCantConnect.checks());
  }

  @Test
  void explicitFieldsOverrideTheTargetFieldByField() throws Exception {
    GhostHuntSpec spec = target("https://app.example.com:8443/health");
    ChecksSpec checks = new ChecksSpec();
    PortOwnerSpec po = new PortOwnerSpec();
    po.setExpectedProcess("java");
    checks.setPortOwner(po);
    Http2Spec h2 = new Http2Spec();
    h2.setInsecureSkipTlsVerify(true);
    checks.setHttp2(h2);
    DnsSpec dns = new DnsSpec();
    dns.setNames(List.of("api.example.com"));
    checks.setDns(dns);
    spec.setChecks(checks);
    ChecksSpec c = HuntResolver.resolve(spec).checks();
    assertEquals(List.of(8443), c.getPortOwner().getPorts(), "port still from the target");
    assertEquals("java", c.getPortOwner().getExpectedProcess());
    assertEquals(List.of("https://app.example.com:8443/health"), c.getHttp2().getUrls());
    assertTrue(c.getHttp2().getInsecureSkipTlsVerify());
    assertEquals(
        List.of("api.example.com"), c.getDns().getNames(), "explicit names replace the target's");
  }

  @Test
  void explicitChecksRunEvenOutsideTheSymptom() throws Exception {
    GhostHuntSpec spec = target("https://app.example.com:8443/health");
    spec.setSymptom(Symptom.WrongServer);
    ChecksSpec checks = new ChecksSpec();
    checks.setLoopback(new LoopbackSpec());
    spec.setChecks(checks);
    ResolvedHunt r = HuntResolver.resolve(spec);
    assertEquals(EnumSet.of(CheckKey.DNS, CheckKey.LOOPBACK), r.keys());
    assertEquals(List.of(8443), r.checks().getLoopback().getPorts());
  }

  @Test
  void withoutTargetOnlyTheNamedChecksRun() throws Exception {
    GhostHuntSpec spec = new GhostHuntSpec();
    ChecksSpec checks = new ChecksSpec();
    MtuSpec mtu = new MtuSpec();
    mtu.setTargets(List.of("198.51.100.20"));
    checks.setMtu(mtu);
    spec.setChecks(checks);
    ResolvedHunt r = HuntResolver.resolve(spec);
    assertEquals(EnumSet.of(CheckKey.MTU), r.keys());
  }

  @Test
  void intermittentDropoutsNeedsNoTarget() throws Exception {
    GhostHuntSpec spec = new GhostHuntSpec();
    spec.setSymptom(Symptom.IntermittentDropouts);
    ResolvedHunt r = HuntResolver.resolve(spec);
    assertEquals(EnumSet.of(CheckKey.DUPLICATE_IP), r.keys());
    assertEquals(List.of(), r.checks().getDuplicateIp().getAddresses());
  }

  @Test
  void namedCheckWithoutItsInputIsInvalidAndNamesTheField() {
    GhostHuntSpec spec = new GhostHuntSpec();
    ChecksSpec checks = new ChecksSpec();
    checks.setPortOwner(new PortOwnerSpec());
    checks.setHttp2(new Http2Spec());
    spec.setChecks(checks);
    InvalidHuntException e =
        assertThrows(InvalidHuntException.class, () -> HuntResolver.resolve(spec));
    assertTrue(
        e.problems()
            .contains("spec.checks.portOwner.ports: required when spec.target gives no port"),
        e.problems()::toString);
    assertTrue(
        e.problems()
            .contains("spec.checks.http2.urls: required when spec.target is not an http(s) URL"),
        e.problems()::toString);
  }

  @Test
  void nothingToCheckIsInvalid() {
    InvalidHuntException e =
        assertThrows(InvalidHuntException.class, () -> HuntResolver.resolve(new GhostHuntSpec()));
    assertTrue(e.getMessage().startsWith("nothing to check"), e.getMessage());
    GhostHuntSpec symptomOnly = new GhostHuntSpec();
    symptomOnly.setSymptom(Symptom.WrongServer);
    assertThrows(InvalidHuntException.class, () -> HuntResolver.resolve(symptomOnly));
  }

  @Test
  void badExplicitInputsAreAllReported() {
    GhostHuntSpec spec = new GhostHuntSpec();
    spec.setTimeoutSeconds(0);
    ChecksSpec checks = new ChecksSpec();
    PortOwnerSpec po = new PortOwnerSpec();
    po.setPorts(List.of(0, 8080, 70000));
    checks.setPortOwner(po);
    Http2Spec h2 = new Http2Spec();
    h2.setUrls(List.of("ftp://example.com/"));
    checks.setHttp2(h2);
    DuplicateIpSpec dup = new DuplicateIpSpec();
    dup.setAddresses(List.of("192.0.2.300"));
    checks.setDuplicateIp(dup);
    MtuSpec mtu = new MtuSpec();
    mtu.setTargets(java.util.Collections.nCopies(65, "192.0.2.1"));
    checks.setMtu(mtu);
    spec.setChecks(checks);
    InvalidHuntException e =
        assertThrows(InvalidHuntException.class, () -> HuntResolver.resolve(spec));
    assertEquals(
        List.of(
            "spec.timeoutSeconds: 0 is outside 1-3600",
            "spec.checks.portOwner.ports: 0 is not a port (1-65535)",
            "spec.checks.portOwner.ports: 70000 is not a port (1-65535)",
            "spec.checks.http2.urls: 'ftp://example.com/' is not an http:// or https:// URL",
            "spec.checks.mtu.targets: 65 entries, at most 64",
            "spec.checks.duplicateIp.addresses: '192.0.2.300' is not an IPv4 or IPv6 address"),
        e.problems());
  }

  @Test
  void resolutionDoesNotTouchTheSpec() throws Exception {
    GhostHuntSpec spec = target("https://app.example.com/");
    ChecksSpec checks = new ChecksSpec();
    PortOwnerSpec po = new PortOwnerSpec();
    checks.setPortOwner(po);
    spec.setChecks(checks);
    HuntResolver.resolve(spec);
    assertNull(po.getPorts());
    assertNull(po.getProtocol());
  }

  // Selectors: what the schema refuses, refused here too (a local run has no API server), each
  // problem naming its field.

  private static final String KEY_FORM = io.ghosthunt.api.spec.Selector.KEY_FORM;
  private static final String VALUE_FORM = io.ghosthunt.api.spec.Selector.VALUE_FORM;

  private static GhostHuntSpec onNodes(Selector selector) {
    GhostHuntSpec spec = target("app.example.com");
    NodeSelection nodes = new NodeSelection();
    nodes.setSelector(selector);
    spec.setNodes(nodes);
    return spec;
  }

  private static Selector expressions(SelectorRequirement... requirements) {
    return new Selector(null, List.of(requirements));
  }

  private static SelectorRequirement req(String key, String operator, String... values) {
    return new SelectorRequirement(key, operator, values.length == 0 ? null : List.of(values));
  }

  private static List<String> problems(GhostHuntSpec spec) {
    return assertThrows(InvalidHuntException.class, () -> HuntResolver.resolve(spec)).problems();
  }

  @Test
  void anUnknownSelectorOperatorIsRefusedNamingTheField() {
    assertEquals(
        List.of(
            "spec.nodes.selector.matchExpressions[0].operator: 'Foo' is not one of In, NotIn,"
                + " Exists, DoesNotExist"),
        problems(onNodes(expressions(req("a", "Foo")))));
    assertEquals(
        List.of(
            "spec.nodes.selector.matchExpressions[1].operator: required, one of In, NotIn, Exists,"
                + " DoesNotExist"),
        problems(onNodes(expressions(req("a", "Exists"), req("b", null)))));
    assertEquals(
        List.of(
            "spec.nodes.selector.matchExpressions[0].operator: 'in' is not one of In, NotIn,"
                + " Exists, DoesNotExist"),
        problems(onNodes(expressions(req("a", "in", "x")))),
        "operators are case-sensitive, as the API server's");
  }

  @Test
  void inAndNotInWithoutValuesAreRefused() {
    assertEquals(
        List.of(
            "spec.nodes.selector.matchExpressions[0].values: must not be empty when operator is In"),
        problems(onNodes(expressions(new SelectorRequirement("a", "In", List.of())))));
    assertEquals(
        List.of(
            "spec.nodes.selector.matchExpressions[0].values: must not be empty when operator is"
                + " NotIn"),
        problems(onNodes(expressions(req("a", "NotIn")))));
  }

  @Test
  void existsAndDoesNotExistWithValuesAreRefused() {
    assertEquals(
        List.of(
            "spec.nodes.selector.matchExpressions[0].values: must be empty when operator is Exists"
                + " (it lists 1)"),
        problems(onNodes(expressions(req("a", "Exists", "x")))));
    assertEquals(
        List.of(
            "spec.nodes.selector.matchExpressions[1].values: must be empty when operator is"
                + " DoesNotExist (it lists 2)"),
        problems(onNodes(expressions(req("a", "Exists"), req("b", "DoesNotExist", "x", "y")))));
  }

  @Test
  void aLabelValueWithSpacesIsRefused() {
    assertEquals(
        List.of(
            "spec.nodes.selector.matchLabels[role]: 'web server' is not a label value: "
                + VALUE_FORM),
        problems(onNodes(new Selector(java.util.Map.of("role", "web server"), null))));
    assertEquals(
        List.of(
            "spec.nodes.selector.matchExpressions[0].values[1]: 'web server' is not a label value: "
                + VALUE_FORM),
        problems(onNodes(expressions(req("role", "In", "web", "web server")))));
  }

  @Test
  void aValueThatWouldChangeTheSelectorsMeaningIsRefused() {
    // The client joins matchLabels into "k=v,k=v": a comma or '=' in a value would add terms.
    java.util.Map<String, String> labels = new java.util.LinkedHashMap<>();
    labels.put("role", "web,tier!=db");
    labels.put("zone", null);
    assertEquals(
        List.of(
            "spec.nodes.selector.matchLabels[role]: 'web,tier!=db' is not a label value: "
                + VALUE_FORM,
            "spec.nodes.selector.matchLabels[zone]: no value; write \"\" to select the empty"
                + " value"),
        problems(onNodes(new Selector(labels, null))));
  }

  @Test
  void aBadLabelKeyIsRefused() {
    assertEquals(
        List.of(
            "spec.nodes.selector.matchExpressions[0].key: 'bad key' is not a label key: "
                + KEY_FORM),
        problems(onNodes(expressions(req("bad key", "Exists")))));
    assertEquals(
        List.of(
            "spec.nodes.selector.matchLabels: 'Example.com/role' is not a label key: " + KEY_FORM),
        problems(onNodes(new Selector(java.util.Map.of("Example.com/role", "web"), null))));
    String longPrefix = "a".repeat(254) + "/b";
    assertEquals(
        List.of(
            "spec.nodes.selector.matchExpressions[0].key: '"
                + "a".repeat(50)
                + "…(256 characters)…"
                + "a".repeat(48)
                + "/b' is not a label key: "
                + KEY_FORM),
        problems(onNodes(expressions(req(longPrefix, "Exists")))));
    assertEquals(
        List.of("spec.nodes.selector.matchExpressions[0].key: required"),
        problems(onNodes(expressions(req(null, "Exists")))));
  }

  @Test
  void aPodSelectorIsCheckedTooAndRequired() {
    GhostHuntSpec spec = target("app.example.com");
    spec.setPods(new PodSelection(expressions(req("app", "Foo"))));
    assertEquals(
        List.of(
            "spec.pods.selector.matchExpressions[0].operator: 'Foo' is not one of In, NotIn,"
                + " Exists, DoesNotExist"),
        problems(spec));
    spec.setPods(new PodSelection());
    assertEquals(
        List.of(
            "spec.pods.selector: required, a label selector over the pods of the hunt's namespace"),
        problems(spec));
  }

  @Test
  void everySelectorProblemIsReportedAtOnce() {
    GhostHuntSpec spec =
        onNodes(
            new Selector(
                java.util.Map.of("role", "web server"),
                List.of(req("a", "Foo"), new SelectorRequirement("b", "In", List.of()))));
    spec.setTimeoutSeconds(0);
    assertEquals(
        List.of(
            "spec.timeoutSeconds: 0 is outside 1-3600",
            "spec.nodes.selector.matchLabels[role]: 'web server' is not a label value: "
                + VALUE_FORM,
            "spec.nodes.selector.matchExpressions[0].operator: 'Foo' is not one of In, NotIn,"
                + " Exists, DoesNotExist",
            "spec.nodes.selector.matchExpressions[1].values: must not be empty when operator is"
                + " In"),
        problems(spec));
  }

  @Test
  void tooManySelectorEntriesAreRefused() {
    java.util.Map<String, String> labels = new java.util.HashMap<>();
    for (int i = 0; i < 65; i++) {
      labels.put("k" + i, "v");
    }
    assertEquals(
        List.of("spec.nodes.selector.matchLabels: 65 entries, at most 64"),
        problems(onNodes(new Selector(labels, null))));
  }

  @Test
  void aHugeSelectorStaysAShortListOfProblems() {
    // Stored before the schema bounded it, its problems still fit in the hunt's status.
    java.util.Map<String, String> labels = new java.util.TreeMap<>();
    for (int i = 0; i < 200; i++) {
      labels.put("k" + (1000 + i), "bad value " + "x".repeat(1000));
    }
    List<String> problems = problems(onNodes(new Selector(labels, null)));
    assertEquals(21, problems.size(), problems::toString);
    assertEquals("spec.nodes.selector.matchLabels: 200 entries, at most 64", problems.get(0));
    assertEquals(
        "spec.nodes.selector.matchLabels[k1000]: 'bad value "
            + "x".repeat(40)
            + "…(1010 characters)…"
            + "x".repeat(50)
            + "' is not a label value: "
            + VALUE_FORM,
        problems.get(1));
    assertEquals("spec.nodes.selector: 181 more problems", problems.get(20));
  }

  @Test
  void validSelectorsOfEveryOperatorAreAccepted() throws Exception {
    java.util.Map<String, String> labels = new java.util.LinkedHashMap<>();
    labels.put("role", "web");
    labels.put("kubernetes.io/os", "linux");
    labels.put("empty", "");
    labels.put("a".repeat(253) + "/" + "b".repeat(63), "c".repeat(63));
    Selector selector =
        new Selector(
            labels,
            List.of(
                req("tier", "In", "web", ""),
                req("node-role.kubernetes.io/control-plane", "DoesNotExist"),
                new SelectorRequirement("zone", "Exists", List.of()),
                req("example.com/env", "NotIn", "dev", "v1.2_3-rc")));
    ResolvedHunt r = HuntResolver.resolve(onNodes(selector));
    assertFalse(r.keys().isEmpty());
    GhostHuntSpec pods = target("app.example.com");
    pods.setPods(new PodSelection(new Selector(java.util.Map.of("app", "web"), null)));
    assertFalse(HuntResolver.resolve(pods).keys().isEmpty());
    GhostHuntSpec everything = target("app.example.com");
    everything.setPods(new PodSelection(new Selector()));
    assertFalse(
        HuntResolver.resolve(everything).keys().isEmpty(),
        "an empty selector is a valid one (it selects every pod of the namespace)");
  }

  @Test
  void theIssuesTwoSelectorsParseAndAreRefused() {
    // An operator the schema does not know still parses: a hunt stored before the schema had its
    // rules is refused with a reason, not left unread.
    KubernetesSerialization json = new KubernetesSerialization();
    GhostHunt operator =
        json.unmarshal(
            """
            apiVersion: ghosthunt.io/v1alpha1
            kind: GhostHunt
            metadata: {name: bad-operator}
            spec:
              target: app.example.com
              nodes: {selector: {matchExpressions: [{key: a, operator: Foo}]}}
            """,
            GhostHunt.class);
    assertEquals(
        List.of(
            "spec.nodes.selector.matchExpressions[0].operator: 'Foo' is not one of In, NotIn,"
                + " Exists, DoesNotExist"),
        problems(operator.getSpec()));
    GhostHunt value =
        json.unmarshal(
            """
            apiVersion: ghosthunt.io/v1alpha1
            kind: GhostHunt
            metadata: {name: bad-value}
            spec:
              target: app.example.com
              nodes: {selector: {matchLabels: {role: web server}}}
            """,
            GhostHunt.class);
    assertEquals(
        List.of(
            "spec.nodes.selector.matchLabels[role]: 'web server' is not a label value: "
                + VALUE_FORM),
        problems(value.getSpec()));
  }
}
