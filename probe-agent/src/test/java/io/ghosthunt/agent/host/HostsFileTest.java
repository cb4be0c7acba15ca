package io.ghosthunt.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostsFileTest {

  @TempDir Path dir;

  @Test
  void findsEveryLineNamingTheHostWithItsNumberIgnoringCommentsCaseAndTheTrailingDot()
      throws Exception {
    Path hosts =
        Files.writeString(
            dir.resolve("hosts"),
            """
        127.0.0.1 localhost
        # 192.0.2.1 app.example.com   (commented out)
        192.0.2.10\tweb APP.example.com. # pinned
        not-an-ip app.example.com
        2001:db8::10 app.example.com
        """);
    List<HostsFile.Line> lines = new HostsFile(hosts).lookup("app.example.com");
    assertEquals(List.of(3, 5), lines.stream().map(HostsFile.Line::number).toList());
    assertEquals("192.0.2.10", Addresses.text(lines.get(0).address()));
    assertEquals("2001:db8::10", Addresses.text(lines.get(1).address()));
    assertEquals("192.0.2.10\tweb APP.example.com. # pinned", lines.get(0).text());
  }

  @Test
  void aMissingFileHasNoLines() throws Exception {
    assertEquals(List.of(), new HostsFile(dir.resolve("absent")).lookup("app.example.com"));
  }

  @Test
  void resolvConfGivesTheFirstThreeNameserversAsGlibcDoes() throws Exception {
    Path conf =
        Files.writeString(
            dir.resolve("resolv.conf"),
            """
        search example.com
        nameserver 192.0.2.53
        nameserver fe80::1%eth0
        nameserver bogus
        nameserver 198.51.100.53
        nameserver 203.0.113.53
        options ndots:5
        """);
    assertEquals(
        List.of("192.0.2.53", "fe80::1", "198.51.100.53"),
        ResolvConf.nameservers(conf).stream().map(Addresses::text).toList());
  }
}
