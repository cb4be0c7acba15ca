package io.ghosthunt.agent.host;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Another machine's or container's files, as that machine or container sees them: the node's root
 * mounted (in part) at {@code /host}, a pod's at {@code /proc/PID/root}.
 *
 * <p>It exists because the probe cannot let the kernel or Java follow the links in there: an
 * absolute link ({@code /etc/resolv.conf -> /run/systemd/resolve/stub-resolv.conf}) would be
 * followed in the probe's own root, and read the probe image's file as if it were the node's or the
 * pod's; a relative one climbing with {@code ..} could leave the foreign root the same way. So the
 * path is walked here one component at a time, each link read without following it, an absolute
 * target put back under the root and {@code ..} stopped at the root, as openat2's RESOLVE_IN_ROOT
 * does (which the JDK cannot call). What cannot be read is said with the path the node or pod would
 * name, and why: missing, not mounted in the probe, a loop, no permission.
 */
public final class ForeignRoot {

  /** The kernel's own bound (MAXSYMLINKS): past it, open(2) fails with ELOOP too. */
  static final int MAX_LINKS = 40;

  /** A loop's forty links would fill a finding; the first few show it. */
  static final int SHOWN_HOPS = 4;

  /** Why a file cannot be read. */
  public enum Failure {
    MISSING,
    NOT_MOUNTED,
    LOOP,
    DENIED,
    NOT_A_FILE,
    UNREADABLE
  }

  /** One link followed: where it is and what it says, both as the node or pod sees them. */
  public record Hop(String link, String target) {}

  /**
   * Where a path leads.
   *
   * @param path the path asked for, inside the root
   * @param hops the links followed, in order
   * @param resolved where the walk ended, inside the root: the file, or the path that failed
   * @param real {@code resolved} as the probe reads it
   * @param failure null when the file can be read
   * @param why what went wrong, naming the path inside the root; null when nothing did
   */
  public record Resolution(
      String path, List<Hop> hops, String resolved, Path real, Failure failure, String why) {

    public boolean readable() {
      return failure == null;
    }

    public boolean linked() {
      return !hops.isEmpty();
    }

    /**
     * A plain file that is not there, which readers of resolv.conf and hosts take as an empty one,
     * as the C library does.
     */
    public boolean absent() {
      return failure == Failure.MISSING && hops.isEmpty() && resolved.equals(path);
    }

    /**
     * The links as the node or pod sees them, e.g. {@code /etc/resolv.conf ->
     * ../run/systemd/resolve/stub-resolv.conf = /run/systemd/resolve/stub-resolv.conf}; a plain
     * file is its own path.
     */
    public String chain() {
      if (hops.isEmpty()) {
        return path;
      }
      StringBuilder s = new StringBuilder();
      for (Hop h : hops.subList(0, Math.min(hops.size(), SHOWN_HOPS))) {
        s.append(s.isEmpty() ? "" : " = ").append(h.link()).append(" -> ").append(h.target());
      }
      if (hops.size() > SHOWN_HOPS) {
        s.append(" = ... ").append(hops.size() - SHOWN_HOPS).append(" more links");
      }
      return s.append(" = ").append(resolved).toString();
    }

    /** Which file cannot be read and why, for a finding; null when it can. */
    public String problem() {
      return failure == null ? null : "cannot read " + chain() + ": " + why;
    }
  }

  private final Path root;
  private final List<String> mounts;

  private ForeignRoot(Path root, List<String> mounts) {
    this.root = root;
    this.mounts = mounts;
  }

  /** A root the probe sees whole: a pod's {@code /proc/PID/root}, or this machine's {@code /}. */
  public static ForeignRoot whole(Path root) {
    return new ForeignRoot(root, List.of("/"));
  }

  /**
   * A root of which the probe mounts only some folders (absolute paths inside it), e.g. the node's
   * {@code /etc} and {@code /run/systemd/resolve} under {@code /host}: a path outside them is not
   * the node's, whatever the probe's image has there.
   */
  public static ForeignRoot partial(Path root, List<String> mounts) {
    return new ForeignRoot(root, List.copyOf(mounts));
  }

  public Path root() {
    return root;
  }

  /**
   * The path a finding names for {@code path} (absolute, inside the root): what the user edits.
   * Under a partial root that is the node's own path ({@code /etc/hosts}, not the probe's mount
   * {@code /host/etc/hosts}); a whole root's real path is kept, since a pod hunt turns {@code
   * /proc/PID/root/etc/hosts} into the pod's own path itself and a local run names the folder it
   * was given.
   */
  public String shown(String path) {
    return mounts.equals(List.of("/")) ? real(path).toString() : path;
  }

  /** Where {@code path} (absolute, inside the root) is for the probe, links not followed. */
  public Path real(String path) {
    String relative = path.replaceFirst("^/+", "");
    return relative.isEmpty() ? root : root.resolve(relative);
  }

  /** Follows {@code path} (absolute, inside the root) as the node or pod would. */
  public Resolution resolve(String path) {
    Deque<String> todo = new ArrayDeque<>(components(path));
    List<String> done = new ArrayList<>();
    List<Hop> hops = new ArrayList<>();
    while (!todo.isEmpty()) {
      String c = todo.pop();
      if (c.equals(".")) {
        continue;
      }
      if (c.equals("..")) {
        // Clamped: the root's parent is the root, as RESOLVE_IN_ROOT has it.
        if (!done.isEmpty()) {
          done.remove(done.size() - 1);
        }
        continue;
      }
      done.add(c);
      String at = "/" + String.join("/", done);
      if (!visible(at)) {
        return failed(path, hops, at, Failure.NOT_MOUNTED, notMounted(at));
      }
      Path real = real(at);
      BasicFileAttributes attrs;
      try {
        attrs = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        return mountedHere(at)
            ? failed(path, hops, at, Failure.MISSING, at + " does not exist")
            : failed(path, hops, at, Failure.NOT_MOUNTED, notMounted(at));
      } catch (AccessDeniedException e) {
        return failed(path, hops, at, Failure.DENIED, at + ": permission denied");
      } catch (IOException e) {
        return failed(path, hops, at, Failure.UNREADABLE, at + ": " + reason(e));
      }
      if (attrs.isSymbolicLink()) {
        if (hops.size() == MAX_LINKS) {
          return failed(
              path,
              hops,
              at,
              Failure.LOOP,
              "more than " + MAX_LINKS + " links at " + at + " (a loop)");
        }
        String target;
        try {
          target = Files.readSymbolicLink(real).toString();
        } catch (IOException e) {
          return failed(path, hops, at, Failure.UNREADABLE, at + ": " + reason(e));
        }
        hops.add(new Hop(at, target));
        done.remove(done.size() - 1);
        if (target.startsWith("/")) {
          done.clear();
        }
        List<String> next = components(target);
        for (int i = next.size() - 1; i >= 0; i--) {
          todo.push(next.get(i));
        }
      } else if (!todo.isEmpty() && !attrs.isDirectory()) {
        return failed(path, hops, at, Failure.MISSING, at + " is not a folder");
      } else if (todo.isEmpty() && !attrs.isRegularFile()) {
        return failed(
            path,
            hops,
            at,
            Failure.NOT_A_FILE,
            at + (attrs.isDirectory() ? " is a folder" : " is not a regular file"));
      }
    }
    String resolved = "/" + String.join("/", done);
    if (done.isEmpty()) {
      return failed(path, hops, resolved, Failure.NOT_A_FILE, "/ is a folder");
    }
    return new Resolution(path, List.copyOf(hops), resolved, real(resolved), null, null);
  }

  /**
   * The lines of a resolved file. The last component is opened without following a link, so that a
   * file swapped for a link since it was resolved is refused rather than followed in the probe's
   * root.
   */
  public static List<String> readAllLines(Resolution r) throws IOException {
    if (!r.readable()) {
      throw new IOException(r.problem());
    }
    try (InputStream in =
        Channels.newInputStream(
            Files.newByteChannel(r.real(), StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }

  /** On the way to a folder the probe mounts, or inside one. */
  private boolean visible(String at) {
    return mounts.stream().anyMatch(m -> under(at, m) || under(m, at));
  }

  /**
   * Strictly inside a mount, where a missing path is missing on the node too; a mount point or its
   * parents missing means the mount is not there.
   */
  private boolean mountedHere(String at) {
    return mounts.stream().anyMatch(m -> m.equals("/") || (under(at, m) && !at.equals(m)));
  }

  private String notMounted(String at) {
    return at
        + " is not mounted in the probe (under "
        + root
        + " it sees only "
        + String.join(", ", mounts)
        + ")";
  }

  private static boolean under(String path, String folder) {
    return folder.equals("/") || path.equals(folder) || path.startsWith(folder + "/");
  }

  private static List<String> components(String path) {
    return Arrays.stream(path.split("/")).filter(c -> !c.isEmpty()).toList();
  }

  private static String reason(IOException e) {
    return e instanceof FileSystemException f && f.getReason() != null
        ? f.getReason()
        : String.valueOf(e.getMessage());
  }

  private static Resolution failed(
      String path, List<Hop> hops, String at, Failure failure, String why) {
    return new Resolution(path, List.copyOf(hops), at, null, failure, why);
  }
}
