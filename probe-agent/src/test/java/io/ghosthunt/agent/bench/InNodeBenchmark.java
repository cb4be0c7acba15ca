package io.ghosthunt.agent.bench;

import io.ghosthunt.agent.check.Check;
import io.ghosthunt.agent.check.CheckContext;
import io.ghosthunt.agent.check.DnsCheck;
import io.ghosthunt.agent.check.Http2Check;
import io.ghosthunt.agent.host.DnsClient;
import io.ghosthunt.agent.host.HostsFile;
import io.ghosthunt.api.spec.ChecksSpec;
import io.ghosthunt.api.spec.DnsSpec;
import io.ghosthunt.api.spec.Http2Spec;
import io.ghosthunt.api.status.Finding;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Runs inside a lab node (started by {@link NetworkChecksBenchmark}): one check in-process, warm,
 * against the command-line tools doing the same queries, median of N runs each; prints figures.
 *
 * <pre>
 *   dns NAME RESOLVER AUTHORITY RUNS   DnsCheck vs dig (resolver: A+AAAA; authority +norec: A+AAAA)
 *   http2 URL RUNS                     Http2Check vs one curl doing --http2 then --http1.1
 * </pre>
 */
public final class InNodeBenchmark {

  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "dns" -> dns(args[1], args[2], args[3], Integer.parseInt(args[4]));
      case "http2" -> http2(args[1], Integer.parseInt(args[2]));
      default -> throw new IllegalArgumentException(args[0]);
    }
  }

  private static void dns(String name, String resolver, String authority, int runs)
      throws Exception {
    DnsSpec spec = new DnsSpec();
    spec.setNames(List.of(name));
    spec.setAuthorities(List.of(authority));
    ChecksSpec checks = new ChecksSpec();
    checks.setDns(spec);
    Check check =
        new DnsCheck(
            new HostsFile(Path.of("/etc/hosts")), Path.of("/etc/resolv.conf"), new DnsClient());
    compare(
        "dns",
        check,
        checks,
        runs,
        List.of(
            List.of("dig", "+tries=1", "+time=2", "@" + resolver, name, "A", name, "AAAA"),
            List.of(
                "dig", "+norec", "+tries=1", "+time=2", "@" + authority, name, "A", name, "AAAA")),
        "dig (resolver A+AAAA, authority +norec A+AAAA, 2 processes)");
  }

  private static void http2(String url, int runs) throws Exception {
    Http2Spec spec = new Http2Spec();
    spec.setUrls(List.of(url));
    spec.setInsecureSkipTlsVerify(true);
    ChecksSpec checks = new ChecksSpec();
    checks.setHttp2(spec);
    compare(
        "http2",
        new Http2Check(),
        checks,
        runs,
        List.of(
            List.of(
                "curl",
                "-sk",
                "-o",
                "/dev/null",
                "--http2",
                url,
                "--next",
                "-sk",
                "-o",
                "/dev/null",
                "--http1.1",
                url)),
        "curl --http2 URL --next --http1.1 URL (1 process)");
  }

  private static void compare(
      String what,
      Check check,
      ChecksSpec checks,
      int runs,
      List<List<String>> commands,
      String label)
      throws Exception {
    Finding last = null;
    List<Long> ours = new ArrayList<>();
    for (int i = 0; i < runs + 5; i++) {
      long t = System.nanoTime();
      last = check.run(checks, new CheckContext("bench", Instant.now().plusSeconds(60))).get(0);
      if (i >= 5) { // the first runs warm up the JIT
        ours.add(System.nanoTime() - t);
      }
    }
    List<Long> tool = new ArrayList<>();
    for (int i = 0; i < runs + 1; i++) {
      long t = System.nanoTime();
      for (List<String> command : commands) {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor();
      }
      if (i >= 1) {
        tool.add(System.nanoTime() - t);
      }
    }
    System.out.printf(
        "%s check (in-process, warm): median %.2f ms, min %.2f ms over %d runs -> %s: %s%n",
        what, median(ours), min(ours), runs, last.getVerdict(), last.getSummary());
    System.out.printf(
        "%s: median %.2f ms, min %.2f ms over %d runs%n", label, median(tool), min(tool), runs);
    System.out.printf("ratio %s check / tools (median): %.2f%n", what, median(ours) / median(tool));
  }

  static double median(List<Long> nanos) {
    List<Long> s = new ArrayList<>(nanos);
    Collections.sort(s);
    return s.get(s.size() / 2) / 1e6;
  }

  static double min(List<Long> nanos) {
    return Collections.min(nanos) / 1e6;
  }
}
