package io.ghosthunt.agent.bench;

import io.ghosthunt.agent.check.CheckContext;
import io.ghosthunt.agent.check.PortOwnerCheck;
import io.ghosthunt.agent.host.ProcessTable;
import io.ghosthunt.agent.host.SocketTable;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.spec.PortOwnerSpec;
import io.ghosthunt.api.spec.Protocol;
import io.ghosthunt.api.status.Finding;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * portOwner against {@code ss -ltnp 'sport = :P'} on the same host, both warm, median of N runs.
 * Run by scripts/bench.sh inside a namespace it fills with processes and sockets; prints figures.
 */
public final class PortOwnerBenchmark {

  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int runs = Integer.parseInt(args[1]);
    PortOwnerSpec spec = new PortOwnerSpec();
    spec.setPorts(List.of(port));
    spec.setProtocol(Protocol.TCP);
    spec.setExpectedProcess("java");
    ChecksSpec checks = new ChecksSpec();
    checks.setPortOwner(spec);
    PortOwnerCheck check = new PortOwnerCheck(new SocketTable(), new ProcessTable());

    Finding last = null;
    List<Long> ours = new ArrayList<>();
    for (int i = 0; i < runs + 3; i++) {
      long t = System.nanoTime();
      last = check.run(checks, new CheckContext("bench", Instant.now().plusSeconds(60))).get(0);
      if (i >= 3) { // the first runs warm up the JIT
        ours.add(System.nanoTime() - t);
      }
    }
    List<Long> ss = new ArrayList<>();
    for (int i = 0; i < runs + 1; i++) {
      long t = System.nanoTime();
      Process p =
          new ProcessBuilder("ss", "-ltnp", "sport = :" + port).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor();
      if (i >= 1) {
        ss.add(System.nanoTime() - t);
      }
    }
    long processes;
    try (var s = Files.list(Path.of("/proc"))) {
      processes =
          s.filter(d -> d.getFileName().toString().chars().allMatch(Character::isDigit)).count();
    }
    long sockets =
        new SocketTable().read("tcp", p -> true).size()
            + new SocketTable().read("udp", p -> true).size();
    System.out.printf("host: %d processes, %d sockets in this namespace%n", processes, sockets);
    System.out.printf(
        "portOwner (in-process, warm): median %.1f ms, min %.1f ms over %d runs -> %s %s%n",
        InNodeBenchmark.median(ours),
        InNodeBenchmark.min(ours),
        runs,
        last.getVerdict(),
        last.getSummary());
    System.out.printf(
        "ss -ltnp 'sport = :%d':        median %.1f ms, min %.1f ms over %d runs%n",
        port, InNodeBenchmark.median(ss), InNodeBenchmark.min(ss), runs);
    System.out.printf(
        "ratio portOwner/ss (median): %.2f (goal <= 1.5)%n",
        InNodeBenchmark.median(ours) / InNodeBenchmark.median(ss));
  }
}
