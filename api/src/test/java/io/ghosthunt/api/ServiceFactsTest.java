package io.ghosthunt.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ghosthunt.api.ServiceFacts.Ref;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceFactsTest {

  @Test
  void theNamesAPodReachesAServiceByAreServiceNames() {
    assertEquals(new Ref("shop", "catalog"), ServiceFacts.serviceOf("catalog", "shop"));
    assertEquals(new Ref("data", "db"), ServiceFacts.serviceOf("db.data", "shop"));
    assertEquals(new Ref("data", "db"), ServiceFacts.serviceOf("db.data.svc", "shop"));
    assertEquals(
        new Ref("data", "db"), ServiceFacts.serviceOf("DB.data.svc.cluster.local", "shop"));
    assertEquals(
        new Ref("data", "db"), ServiceFacts.serviceOf("db.data.svc.cluster.local.", "shop"));
  }

  @Test
  void otherNamesAndShortNamesThatSkipTheSearchListAreNot() {
    assertNull(ServiceFacts.serviceOf("api.example.test", "shop"), "three labels, no svc");
    assertNull(ServiceFacts.serviceOf("catalog.", "shop"), "a trailing dot skips the search list");
    assertNull(ServiceFacts.serviceOf("example.com.", "shop"));
    assertNull(ServiceFacts.serviceOf("db.data.svc.", "shop"));
    assertNull(ServiceFacts.serviceOf("9lives", "shop"), "a Service name starts with a letter");
    assertNull(ServiceFacts.serviceOf("db.Data_1", "shop"));
  }

  @Test
  void candidatesKeepTheSpecsNamesAndOrder() {
    Map<String, Ref> refs =
        ServiceFacts.candidates(List.of("orders", "app.example.test", "db.data"), "shop");
    assertEquals(List.of("orders", "db.data"), List.copyOf(refs.keySet()));
    assertEquals(Map.of(), ServiceFacts.candidates(null, "shop"));
  }

  @Test
  void aServicesOwnNameIsInTheClusterDomain() {
    ServiceFacts.Service s =
        new ServiceFacts.Service("shop", "catalog", true, List.of("203.0.113.231"), null);
    assertEquals("catalog.shop.svc.cluster.local", s.fqdn("cluster.local"));
    assertEquals("catalog.shop.svc.corp.example", s.fqdn("Corp.Example"));
  }

  @Test
  void whatTheOperatorWritesTheProbeReads() {
    ServiceFacts facts =
        new ServiceFacts(
            List.of("203.0.113.226"),
            Map.of(
                "catalog",
                new ServiceFacts.Service(
                    "shop", "catalog", true, List.of("203.0.113.231"), "2026-12-07T10:00:00Z"),
                "basket",
                new ServiceFacts.Service("shop", "basket", false, List.of(), null)),
            "2026-12-07T10:00:01Z");
    String text = facts.encode();
    assertFalse(text.contains("\n"), text);
    assertEquals(facts, ServiceFacts.decode(text));
    assertTrue(ServiceFacts.decode("{}").isEmpty());
    assertThrows(IllegalArgumentException.class, () -> ServiceFacts.decode("catalog=1.2.3.4"));
  }
}
