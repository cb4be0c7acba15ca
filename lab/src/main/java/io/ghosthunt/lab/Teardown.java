package io.ghosthunt.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Whatever the lab makes on this machine (namespaces, processes, cgroups, folders, the sysctls a
 * kubelet changes) is undone by its owner's {@code close}, or, when the JVM ends first (Ctrl-C,
 * SIGTERM, {@code System.exit}, a test run that dies half-way), by this class's one shutdown hook,
 * which closes every owner still registered, the last made first.
 *
 * <p>The JVM runs its hooks while the other threads go on: a demo still starting its cluster would
 * go on making nodes after the hook removed the nodes it knew of. So once the JVM stops, only the
 * hook may run commands or make anything: whatever is made goes through {@link #make} (or {@link
 * #start}, or {@link Lab#exec}), which refuses with {@link Stopping} from then on, and the hook
 * first kills the commands still running and waits for the makes in progress, so that everything
 * made is registered before it undoes anything. An owner's {@code close} that runs on another
 * thread while the JVM stops leaves itself registered ({@link #interrupted}), and the hook closes
 * it again: every {@code close} here may run twice.
 */
public final class Teardown {

  /** How long the hook waits for makes in progress once their commands are killed. */
  private static final Duration SETTLE = Duration.ofSeconds(10);

  /** Makes hold the read lock; the hook takes the write lock before it undoes anything. */
  private static final ReentrantReadWriteLock LOCK = new ReentrantReadWriteLock();

  private static final List<Registration> OWNERS = new ArrayList<>();
  private static final List<Runnable> LISTENERS = new ArrayList<>();
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
  private static final Thread HOOK = new Thread(Teardown::stop, "lab-teardown");
  private static volatile boolean stopping;

  static {
    try {
      Runtime.getRuntime().addShutdownHook(HOOK);
    } catch (IllegalStateException e) {
      // first used while the JVM already stops: nothing may be made any more
      stopping = true;
    }
  }

  private Teardown() {}

  /** Refused: the JVM is stopping, and only its hook may act on the machine now. */
  public static final class Stopping extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    Stopping(String what) {
      super("the JVM is stopping: not " + what);
    }
  }

  /** Something that {@link #make}: a command, a file operation, a process start. */
  @FunctionalInterface
  public interface Make<T> {
    T run() throws IOException;
  }

  /** An owner in the hook's list; closing it takes it off (its owner closed it itself). */
  public static final class Registration implements AutoCloseable {
    private final String what;
    private final AutoCloseable undo;

    private Registration(String what, AutoCloseable undo) {
      this.what = what;
      this.undo = undo;
    }

    @Override
    public void close() {
      synchronized (OWNERS) {
        OWNERS.remove(this);
      }
    }

    @Override
    public String toString() {
      return what;
    }
  }

  /**
   * Puts {@code undo} on the hook's list. Register an owner before it makes anything, from inside a
   * {@link #make}, so that the hook, which waits for makes in progress, never misses what it made.
   */
  public static Registration register(String what, AutoCloseable undo) {
    Registration r = new Registration(what, undo);
    synchronized (OWNERS) {
      OWNERS.add(r);
    }
    return r;
  }

  /**
   * {@code listener} runs when the JVM begins to stop, before anything is undone (the demo says
   * what it removes).
   */
  public static void onStopping(Runnable listener) {
    synchronized (LISTENERS) {
      LISTENERS.add(listener);
    }
  }

  /**
   * Runs {@code make} unless the JVM is stopping; the hook waits until it is done (once it has
   * killed its commands; 10 s at most) before it undoes anything.
   */
  public static <T> T make(String what, Make<T> make) {
    acquire(what);
    try {
      return make.run();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      LOCK.readLock().unlock();
    }
  }

  /**
   * Starts a process unless the JVM is stopping. Until it exits the hook may kill it (and what it
   * started) before it undoes anything: the makes that wait for it end then.
   */
  public static Process start(ProcessBuilder pb) {
    return make(
        String.join(" ", pb.command()),
        () -> {
          Process p = pb.start();
          RUNNING.add(p);
          p.onExit().thenRun(() -> RUNNING.remove(p));
          return p;
        });
  }

  /**
   * The processes whose command line names {@code text} (a lab folder): how an undo finds what
   * outlived its starter, a shell's background job that ignored the SIGINT that ended the shell.
   */
  public static List<ProcessHandle> naming(String text) {
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(text)).orElse(false))
        .toList();
  }

  /** The JVM is stopping: the hook undoes, or will undo, everything still registered. */
  public static boolean stopping() {
    return stopping;
  }

  /**
   * The JVM stops while this thread is not the hook: an owner's {@code close} that ran meanwhile
   * may have been refused some of its commands and must stay registered for the hook.
   */
  public static boolean interrupted() {
    return stopping && Thread.currentThread() != HOOK;
  }

  private static void acquire(String what) {
    if (Thread.currentThread() == HOOK) {
      LOCK.readLock().lock(); // the hook holds the write lock; taking the read lock too is allowed
      return;
    }
    try {
      // Never blocks for long: a thread that waited here while the hook held the write lock,
      // holding an owner's monitor, would keep the hook from closing that owner.
      while (!LOCK.readLock().tryLock(100, TimeUnit.MILLISECONDS)) {
        if (stopping) {
          throw new Stopping(what);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Stopping(what);
    }
    if (stopping) {
      LOCK.readLock().unlock();
      throw new Stopping(what);
    }
  }

  private static void stop() {
    stopping = true;
    List<Runnable> listeners;
    synchronized (LISTENERS) {
      listeners = List.copyOf(LISTENERS);
    }
    listeners.forEach(Teardown::quietly);
    long deadline = System.nanoTime() + SETTLE.toNanos();
    boolean settled = false;
    try {
      // Kill the commands in progress (a control plane starting, a kubectl wait, an import), and
      // again whatever a make started since, until no make is left.
      while (!settled && System.nanoTime() < deadline) {
        RUNNING.forEach(Teardown::kill);
        settled = LOCK.writeLock().tryLock(200, TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (!settled) {
      System.err.println(
          "lab teardown: a make still runs after " + SETTLE.toSeconds() + " s; undoing anyway");
    }
    try {
      List<Registration> owners;
      synchronized (OWNERS) {
        owners = new ArrayList<>(OWNERS);
      }
      for (int i = owners.size() - 1; i >= 0; i--) {
        Registration r = owners.get(i);
        try {
          r.undo.close();
        } catch (Exception e) {
          System.err.println("lab teardown: " + r + ": " + e);
        }
      }
    } finally {
      if (settled) {
        LOCK.writeLock().unlock();
      }
    }
  }

  /**
   * Kills a process and everything it started that is still its descendant, the top first (so that
   * it starts nothing new), and waits for them to be gone: a key generator of a half-run script
   * that went on writing into the state folder made the control plane's clean-up leave it behind.
   */
  private static void kill(Process p) {
    List<ProcessHandle> tree;
    try {
      tree = p.descendants().toList();
    } catch (RuntimeException e) {
      tree = List.of(); // it ended meanwhile
    }
    p.destroyForcibly();
    tree.forEach(ProcessHandle::destroyForcibly);
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (ProcessHandle h : concat(p.toHandle(), tree)) {
      long left = until - System.nanoTime();
      try {
        h.onExit().get(Math.max(1, left), TimeUnit.NANOSECONDS);
      } catch (Exception e) {
        // gone already, or still there after 5 s: the clean-up goes on regardless
      }
    }
  }

  private static List<ProcessHandle> concat(ProcessHandle top, List<ProcessHandle> rest) {
    List<ProcessHandle> all = new ArrayList<>(rest);
    all.add(0, top);
    return all;
  }

  private static void quietly(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      System.err.println("lab teardown: " + e);
    }
  }
}
