package io.ghosthunt.agent.host;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The hosts file as the C library reads it: the first lookup source of getaddrinfo on a node whose
 * nsswitch says {@code files dns}, so a forgotten line there outranks every resolver.
 */
public final class HostsFile {

  /** One address line naming the host, with its 1-based line number and text for the evidence. */
  public record Line(int number, InetAddress address, String text) {}

  private final Path path;
  private final ForeignRoot root;
  private final String inRoot;

  public HostsFile(Path path) {
    this.path = path;
    this.root = null;
    this.inRoot = null;
  }

  /** The hosts file at {@code path} as the node or pod of {@code root} sees it, links and all. */
  public HostsFile(ForeignRoot root, String path) {
    this.path = root.real(path);
    this.root = root;
    this.inRoot = path;
  }

  /** Where the probe finds the file, before any link: what findings have always named. */
  public Path path() {
    return path;
  }

  /** The path findings name: the node's own under the probe's mount of it (see ForeignRoot). */
  public String shown() {
    return root != null ? root.shown(inRoot) : path.toString();
  }

  /** Where the file's links lead; a plain path resolves to itself. */
  public ForeignRoot.Resolution resolve() {
    return root != null
        ? root.resolve(inRoot)
        : ForeignRoot.whole(Path.of("/")).resolve(absolute());
  }

  private String absolute() {
    return path.toAbsolutePath().toString();
  }

  /** Every line that maps {@code name} (case-insensitive, trailing dot ignored), in file order. */
  public List<Line> lookup(String name) throws IOException {
    String wanted = canonical(name);
    List<String> lines;
    if (root != null) {
      ForeignRoot.Resolution r = root.resolve(inRoot);
      if (r.absent()) {
        return List.of();
      }
      // A link the probe cannot follow says so, rather than reading a file that is not the node's.
      lines = ForeignRoot.readAllLines(r);
    } else {
      try {
        lines = Files.readAllLines(path);
      } catch (NoSuchFileException e) {
        return List.of();
      }
    }
    List<Line> found = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      String raw = lines.get(i);
      int hash = raw.indexOf('#');
      String[] fields = (hash >= 0 ? raw.substring(0, hash) : raw).trim().split("\\s+");
      if (fields.length < 2 || !Addresses.isLiteral(fields[0])) {
        continue;
      }
      for (int j = 1; j < fields.length; j++) {
        if (canonical(fields[j]).equals(wanted)) {
          found.add(new Line(i + 1, Addresses.literal(fields[0]), raw.trim()));
          break;
        }
      }
    }
    return found;
  }

  static String canonical(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }
}
