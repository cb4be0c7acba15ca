package io.ghosthunt.agent.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AddressesTest {

  @ParameterizedTest
  @CsvSource({
    "::1,::1",
    "0:0:0:0:0:0:0:0,::",
    "2001:db8:0:0:0:0:0:10,2001:db8::10",
    "2001:db8:0:1:0:0:0:1,2001:db8:0:1::1",
    "fe80:0:0:0:1:0:0:1,fe80::1:0:0:1",
    "2001:db8:1:2:3:4:5:6,2001:db8:1:2:3:4:5:6",
    "192.0.2.7,192.0.2.7"
  })
  void writesTheShortForm(String in, String expected) throws Exception {
    assertEquals(expected, Addresses.text(InetAddress.getByName(in)));
  }
}
