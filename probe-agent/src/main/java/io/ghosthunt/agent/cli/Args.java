package io.ghosthunt.agent.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Options of one subcommand: --name value, --name=value, -f value, and bare flags. */
public final class Args {

  private final Map<String, String> values = new HashMap<>();
  private final List<String> positional = new ArrayList<>();

  /**
   * @param withValue option names that take a value (long form, e.g. "file")
   * @param flags option names that take none
   * @param shortNames one-letter aliases, e.g. f -> file
   */
  public static Args parse(
      String[] argv, Set<String> withValue, Set<String> flags, Map<String, String> shortNames)
      throws UsageException {
    Args a = new Args();
    for (int i = 0; i < argv.length; i++) {
      String arg = argv[i];
      if (!arg.startsWith("-") || arg.equals("-")) {
        a.positional.add(arg);
        continue;
      }
      String name =
          arg.startsWith("--")
              ? arg.substring(2)
              : shortNames.getOrDefault(arg.substring(1), arg.substring(1));
      String value = null;
      int eq = name.indexOf('=');
      if (eq > 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      if (flags.contains(name)) {
        a.values.put(name, "true");
      } else if (withValue.contains(name)) {
        if (value == null) {
          if (i + 1 >= argv.length) {
            throw new UsageException("option --" + name + " needs a value");
          }
          value = argv[++i];
        }
        a.values.put(name, value);
      } else {
        throw new UsageException("unknown option " + arg);
      }
    }
    return a;
  }

  public String get(String name) {
    return values.get(name);
  }

  public boolean has(String name) {
    return values.containsKey(name);
  }

  public List<String> positional() {
    return positional;
  }
}
