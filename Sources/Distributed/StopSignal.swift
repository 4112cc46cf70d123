import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// The signal that asked for a stop (0: none; -1: passed on by another rank).
/// Written from a signal handler: a lock-free atomic store is async-signal-safe,
/// a plain global is a data race.
private let stopSignalNumber = Atomic<Int32>(0)

/// Graceful stop on SIGTERM, SIGUSR1, SIGINT or SIGHUP (what Slurm sends
/// before preemption or the time limit, Ctrl-C, a closed terminal): the flag
/// is polled between training steps, so ranks stop promptly and rank 0
/// flushes the file. SIGPIPE is ignored: a closed stdout never ends a run
/// (``StandardStreams`` drops the failed writes).
public enum StopSignal {
  public static let handled: [Int32] = [SIGTERM, SIGUSR1, SIGINT, SIGHUP]

  /// Installs the handlers with `sigaction` (no `SA_RESETHAND`: a second
  /// signal stops as gently as the first; `SA_RESTART`: system calls in
  /// flight resume rather than fail with EINTR) and unblocks those signals.
  public static func install() {
    _ = stopSignalNumber.load(ordering: .relaxed)  // initialised before any handler runs
    for s in handled {
      var action = sigaction()
      action.__sigaction_handler.sa_handler = { number in
        stopSignalNumber.store(number, ordering: .relaxed)
      }
      sigemptyset(&action.sa_mask)
      action.sa_flags = SA_RESTART
      sigaction(s, &action, nil)
    }
    // A parent may have started this process with them blocked (the mask is
    // inherited across exec): a blocked stop signal would never be seen.
    var unblock = sigset_t()
    sigemptyset(&unblock)
    for s in handled { sigaddset(&unblock, s) }
    pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
    var ignore = sigaction()
    ignore.__sigaction_handler.sa_handler = SIG_IGN
    sigemptyset(&ignore.sa_mask)
    sigaction(SIGPIPE, &ignore, nil)
  }

  /// Whether a stop was asked for (by a signal, or by ``request()``).
  public static var requested: Bool { stopSignalNumber.load(ordering: .relaxed) != 0 }

  /// The signal that asked, for messages (`SIGUSR1`).
  public static var name: String {
    let number = stopSignalNumber.load(ordering: .relaxed)
    switch number {
    case 0: return "none"
    case SIGTERM: return "SIGTERM"
    case SIGUSR1: return "SIGUSR1"
    case SIGINT: return "SIGINT"
    case SIGHUP: return "SIGHUP"
    case -1: return "a stop from another rank"
    default: return "signal \(number)"
    }
  }

  /// Asks this process to stop as if signalled (a stop passed on by another rank).
  public static func request() {
    _ = stopSignalNumber.compareExchange(expected: 0, desired: -1, ordering: .relaxed)
  }
}
