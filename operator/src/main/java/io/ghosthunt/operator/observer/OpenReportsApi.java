package io.ghosthunt.operator.observer;

import io.fabric8.kubernetes.api.model.APIResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.ghosthunt.operator.status.OpenReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the API server serves OpenReports' Report, when the chart asks for Reports: API discovery
 * (which every authenticated client may read, so no right on CRDs), at most every {@link #RECHECK}
 * for all hunts together. A CRD installed after the operator is seen by the next run.
 */
public final class OpenReportsApi {

  private static final Logger LOG = LoggerFactory.getLogger(OpenReportsApi.class);

  static final Duration RECHECK = Duration.ofSeconds(15);

  private final KubernetesClient client;
  private final boolean asked;
  private final Clock clock;
  private Instant checkedAt;
  private OpenReport.Availability last = OpenReport.Availability.OFF;

  public OpenReportsApi(KubernetesClient client, boolean asked, Clock clock) {
    this.client = client;
    this.asked = asked;
    this.clock = clock;
  }

  public synchronized OpenReport.Availability availability() {
    if (!asked) {
      return OpenReport.Availability.OFF;
    }
    Instant now = clock.instant();
    if (checkedAt != null && Duration.between(checkedAt, now).compareTo(RECHECK) < 0) {
      return last;
    }
    OpenReport.Availability before = last;
    Boolean served = served();
    if (served == null) {
      // Not known now: what was known stands (a Report tried is better than a false "install the
      // CRD"), and the next look asks again.
      return last == OpenReport.Availability.OFF ? OpenReport.Availability.SERVED : last;
    }
    last = served ? OpenReport.Availability.SERVED : OpenReport.Availability.MISSING;
    if (last != before && last == OpenReport.Availability.MISSING) {
      LOG.warn(
          "openReports is on but the API server does not serve {} {}: hunts complete without one",
          OpenReport.API_VERSION,
          OpenReport.KIND);
    }
    checkedAt = now;
    return last;
  }

  /** Whether discovery lists Reports; null when discovery did not answer. */
  private Boolean served() {
    try {
      APIResourceList list = client.getApiResources(OpenReport.API_VERSION);
      return list != null
          && list.getResources().stream().anyMatch(r -> "reports".equals(r.getName()));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 404) {
        return false;
      }
      LOG.warn("cannot tell whether {} is served ({})", OpenReport.API_VERSION, e.getCode(), e);
      return null;
    }
  }
}
