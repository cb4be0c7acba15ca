package io.ghosthunt.operator.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.ghosthunt.lab.cluster.ControlPlane;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * {@code @ExtendWith(ControlPlaneExtension.class)}: one lab {@link ControlPlane} for the whole test
 * run, started when a test first asks for it (a {@link ControlPlane} or an admin {@link
 * KubernetesClient} parameter). It lives in the root context's store, which closes it, as an {@link
 * AutoCloseable}, when the run ends. JUnit makes an instance of an extension per test class, so the
 * extension is this thin adapter and not the control plane itself; the lab knows nothing of JUnit.
 */
public final class ControlPlaneExtension implements ParameterResolver {

  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(ControlPlaneExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext c) {
    Class<?> type = p.getParameter().getType();
    return type == ControlPlane.class || type == KubernetesClient.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext c) {
    ControlPlane cp =
        c.getRoot()
            .getStore(NS)
            .getOrComputeIfAbsent(
                ControlPlane.class, k -> ControlPlane.start(), ControlPlane.class);
    return p.getParameter().getType() == ControlPlane.class ? cp : cp.admin();
  }
}
