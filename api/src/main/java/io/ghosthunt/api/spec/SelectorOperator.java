package io.ghosthunt.api.spec;

/**
 * The operators of a label selector's requirement. Only the schema uses this enum ({@code operator}
 * stays a string in the model): a hunt stored before the schema had it must still be read, and then
 * refused with a reason, rather than fail to deserialize.
 */
public enum SelectorOperator {
  In,
  NotIn,
  Exists,
  DoesNotExist;

  /** The operator of this name, or null. */
  public static SelectorOperator of(String name) {
    for (SelectorOperator o : values()) {
      if (o.name().equals(name)) {
        return o;
      }
    }
    return null;
  }

  /** Whether the requirement lists values: In and NotIn must, Exists and DoesNotExist must not. */
  public boolean takesValues() {
    return this == In || this == NotIn;
  }
}
