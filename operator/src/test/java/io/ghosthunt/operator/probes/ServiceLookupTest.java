package io.ghosthunt.operator.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.api.ServiceFacts;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.spec.DnsSpec;
import io.ghosthunt.api.spec.GhostHuntSpec;
import io.ghosthunt.api.spec.PodSelection;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceLookupTest {

  static final ServiceFacts.Ref REF = new ServiceFacts.Ref("shop", "catalog");

  static GhostHunt hunt(boolean pods, String... names) {
    GhostHunt h = new GhostHunt();
    h.getMetadata().setNamespace("shop");
    GhostHuntSpec spec = new GhostHuntSpec();
    if (pods) {
      PodSelection selection = new PodSelection();
      io.ghosthunt.api.spec.Selector selector = new io.ghosthunt.api.spec.Selector();
      selector.setMatchLabels(java.util.Map.of("app", "web"));
      selection.setSelector(selector);
      spec.setPods(selection);
    }
    ChecksSpec checks = new ChecksSpec();
    DnsSpec dns = new DnsSpec();
    dns.setNames(List.of(names));
    checks.setDns(dns);
    spec.setChecks(checks);
    h.setSpec(spec);
    return h;
  }

  @Test
  void onlyAPodHuntsDnsNamesAreLookedUp() {
    assertEquals(
        List.of("catalog", "db.data"), ServiceLookup.dnsNames(hunt(true, "catalog", "db.data")));
    assertEquals(List.of(), ServiceLookup.dnsNames(hunt(false, "catalog")));
  }

  @Test
  void aServiceIsItsClusterIpsAndAHeadlessOrExternalNameOneHasNone() {
    Service two =
        new ServiceBuilder()
            .withNewMetadata()
            .withCreationTimestamp("2026-12-07T10:00:00Z")
            .endMetadata()
            .withNewSpec()
            .withClusterIP("203.0.113.231")
            .withClusterIPs("203.0.113.231", "2001:db8::231")
            .endSpec()
            .build();
    assertEquals(
        new ServiceFacts.Service(
            "shop",
            "catalog",
            true,
            List.of("203.0.113.231", "2001:db8::231"),
            "2026-12-07T10:00:00Z"),
        ServiceLookup.of(REF, two, true));
    assertEquals(null, ServiceLookup.of(REF, two, false).created(), "another namespace's: no age");
    Service headless =
        new ServiceBuilder()
            .withNewMetadata()
            .endMetadata()
            .withNewSpec()
            .withClusterIP("None")
            .endSpec()
            .build();
    assertEquals(List.of(), ServiceLookup.of(REF, headless, true).clusterIPs());
    Service external =
        new ServiceBuilder()
            .withNewMetadata()
            .endMetadata()
            .withNewSpec()
            .withType("ExternalName")
            .withExternalName("db.corp.test")
            .endSpec()
            .build();
    assertEquals(List.of(), ServiceLookup.of(REF, external, true).clusterIPs());
    assertEquals(
        new ServiceFacts.Service("shop", "catalog", false, List.of(), null),
        ServiceLookup.of(REF, null, true));
  }
}
