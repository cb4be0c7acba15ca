package io.ghosthunt.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.Optional;

/** The seven checks, by the key used in {@code spec.checks} and in findings. */
public enum CheckKey {
  @JsonProperty("portOwner")
  PORT_OWNER("portOwner"),
  @JsonProperty("dns")
  DNS("dns"),
  @JsonProperty("http2")
  HTTP2("http2"),
  @JsonProperty("mtu")
  MTU("mtu"),
  @JsonProperty("duplicateIp")
  DUPLICATE_IP("duplicateIp"),
  @JsonProperty("asymmetricRoute")
  ASYMMETRIC_ROUTE("asymmetricRoute"),
  @JsonProperty("loopback")
  LOOPBACK("loopback");

  private final String key;

  CheckKey(String key) {
    this.key = key;
  }

  @JsonValue
  public String key() {
    return key;
  }

  public static Optional<CheckKey> fromKey(String key) {
    return Arrays.stream(values()).filter(k -> k.key.equals(key)).findFirst();
  }

  @Override
  public String toString() {
    return key;
  }
}
