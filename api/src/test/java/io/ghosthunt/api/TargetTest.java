package io.ghosthunt.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TargetTest {

  @Test
  void httpsUrlWithPort() throws Exception {
    Target t = Target.parse("https://app.example.com:8443/health");
    assertEquals("app.example.com", t.host());
    assertEquals(8443, t.port());
    assertEquals("https://app.example.com:8443/health", t.url());
    assertFalse(t.hostIsIp());
  }

  @Test
  void urlWithoutPortTakesTheSchemeDefault() throws Exception {
    assertEquals(443, Target.parse("https://app.example.com/").port());
    assertEquals(80, Target.parse("http://app.example.com").port());
  }

  @Test
  void hostAndPort() throws Exception {
    Target t = Target.parse("192.0.2.10:5432");
    assertEquals("192.0.2.10", t.host());
    assertEquals(5432, t.port());
    assertNull(t.url());
    assertTrue(t.hostIsIp());
  }

  @Test
  void bareHostHasNoPort() throws Exception {
    Target t = Target.parse("db.example.com");
    assertEquals("db.example.com", t.host());
    assertNull(t.port());
  }

  @Test
  void ipv6InBracketsAndBare() throws Exception {
    Target t = Target.parse("[2001:db8::1]:8080");
    assertEquals("2001:db8::1", t.host());
    assertEquals(8080, t.port());
    assertTrue(t.hostIsIp());
    Target bare = Target.parse("2001:db8::1");
    assertEquals("2001:db8::1", bare.host());
    assertNull(bare.port());
    Target url = Target.parse("http://[2001:db8::1]:8080/x");
    assertEquals("2001:db8::1", url.host());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "ftp://example.com",
        "app.example.com:0",
        "app.example.com:70000",
        "https://app.example.com:99999/",
        "two words",
        "http://",
        "-bad-.example.com"
      })
  void rejectsNonsenseWithTheFieldName(String raw) {
    InvalidHuntException e = assertThrows(InvalidHuntException.class, () -> Target.parse(raw));
    assertTrue(e.getMessage().startsWith("spec.target '"), e.getMessage());
  }
}
