#if canImport(Glibc)
  import Glibc
#endif

/// Set from a signal handler: only async-signal-safe writes of one word.
nonisolated(unsafe) private var stopSignalNumber: Int32 = 0

/// Graceful stop on SIGTERM, SIGUSR1 or SIGINT (what Slurm sends before
/// preemption or the time limit, and Ctrl-C): the flag is polled between
/// training steps, so ranks stop promptly and rank 0 flushes the file.
public enum StopSignal {
  public static let handled: [Int32] = [SIGTERM, SIGUSR1, SIGINT]

  public static func install() {
    var unblock = sigset_t()
    sigemptyset(&unblock)
    for s in handled {
      signal(s) { number in stopSignalNumber = number }
      sigaddset(&unblock, s)
    }
    // A parent may start us with these blocked (the mask survives exec): a
    // stop must still arrive.
    pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
  }

  /// Whether a stop was asked for (by a signal, or by ``request()``).
  public static var requested: Bool { stopSignalNumber != 0 }

  /// The signal that asked, for messages (`SIGUSR1`).
  public static var name: String {
    switch stopSignalNumber {
    case 0: return "none"
    case SIGTERM: return "SIGTERM"
    case SIGUSR1: return "SIGUSR1"
    case SIGINT: return "SIGINT"
    case -1: return "a stop from another rank"
    default: return "signal \(stopSignalNumber)"
    }
  }

  /// Asks this process to stop as if signalled (a stop passed on by another rank).
  public static func request() {
    if stopSignalNumber == 0 { stopSignalNumber = -1 }
  }
}
