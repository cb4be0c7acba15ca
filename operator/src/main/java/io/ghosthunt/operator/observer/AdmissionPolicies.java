package io.ghosthunt.operator.observer;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.ghosthunt.operator.decision.Blocker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the admission policies that make probes safe are in force: without the report policy any
 * probe token could write any report of its hunt, and without the node-hunt policy every namespace
 * editor could hunt nodes. The operator starts no probe while either policy or its binding is
 * missing. Looked up at most every {@link #RECHECK}, so that a thousand hunts cost two GETs.
 */
public final class AdmissionPolicies {

  private static final Logger LOG = LoggerFactory.getLogger(AdmissionPolicies.class);

  /** The policies (each with a binding of the same name) that the chart and --install-crd apply. */
  public static final List<String> REQUIRED =
      List.of("ghosthunt-agent-reports", "ghosthunt-node-hunts");

  static final Duration RECHECK = Duration.ofSeconds(15);

  private final KubernetesClient client;
  private final Clock clock;
  private Instant checkedAt;
  private Optional<Blocker> last = Optional.empty();

  public AdmissionPolicies(KubernetesClient client, Clock clock) {
    this.client = client;
    this.clock = clock;
  }

  /** The blocker while a required policy or binding is missing or cannot be read; else empty. */
  public synchronized Optional<Blocker> missing() {
    Instant now = clock.instant();
    if (checkedAt != null && Duration.between(checkedAt, now).compareTo(RECHECK) < 0) {
      return last;
    }
    Optional<Blocker> before = last;
    List<String> absent = new ArrayList<>();
    try {
      for (String name : REQUIRED) {
        var admission = client.admissionRegistration().v1();
        if (admission.validatingAdmissionPolicies().withName(name).get() == null) {
          absent.add("ValidatingAdmissionPolicy " + name);
        }
        if (admission.validatingAdmissionPolicyBindings().withName(name).get() == null) {
          absent.add("ValidatingAdmissionPolicyBinding " + name);
        }
      }
      last = Optional.ofNullable(Blocker.policiesMissing(absent));
    } catch (KubernetesClientException e) {
      last = Optional.of(Blocker.policiesUnreadable(e.getCode(), e.getMessage()));
    }
    if (last.isPresent() && (checkedAt == null || !last.equals(before))) {
      LOG.warn("{}", last.get().message());
    }
    checkedAt = now;
    return last;
  }
}
