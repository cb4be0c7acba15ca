package io.ghosthunt.operator.reconciler;

import io.ghosthunt.api.GhostHunt;
import io.ghosthunt.operator.decision.HuntPlan;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import java.util.List;

/** Carries out what was decided: against the API server in the operator, in memory in tests. */
public interface HuntActor {

  /** Creates the probes (the agent identity first); what could not start says why. */
  HuntPlan.Started start(GhostHunt hunt, List<HuntPlan.ProbeStart> starts);

  /** Everything else of the plan; the status last, in one write. */
  void perform(GhostHunt hunt, HuntPlan plan, Context<GhostHunt> context);

  /** The hunt is being deleted: its probes, agent identity, reports and bookkeeping go. */
  void cleanup(GhostHunt hunt);
}
