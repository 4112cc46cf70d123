import Foundation
import SweepSpec

/// Rank 0's progress line: cells done, share of estimated work done, ETA.
/// Periodic plain lines when stdout is not a terminal (Slurm logs), an
/// updating line on a terminal.
public final class ProgressReporter {
  private let totalCells: Int
  private var totalWork: Double
  private var doneCells: Int
  private var doneWork: Double
  private let start = Date()
  private var lastPrint = Date.distantPast
  private let interval: TimeInterval
  private let interactive: Bool
  private let enabled: Bool
  private var sessionWork = 0.0

  /// `alreadyDone*` count cells finished before this run (resume).
  public init(
    totalCells: Int, totalWork: Double, alreadyDoneCells: Int, alreadyDoneWork: Double,
    interval: TimeInterval, enabled: Bool
  ) {
    self.totalCells = totalCells
    self.totalWork = max(totalWork, 1e-12)
    self.doneCells = alreadyDoneCells
    self.doneWork = alreadyDoneWork
    self.interval = interval
    self.enabled = enabled
    // MPI launchers hand ranks a pseudo-terminal even when the job's output
    // goes to a log, so only a directly started process may redraw its line.
    self.interactive = isatty(STDOUT_FILENO) != 0 && !Launcher.isPresent
  }

  /// Counts a finished cell of estimated cost `work` and prints if due.
  public func cellFinished(work: Double) {
    doneCells += 1
    doneWork += work
    sessionWork += work
    if Date().timeIntervalSince(lastPrint) >= interval || doneCells == totalCells {
      emit()
    }
  }

  /// Replaces the work estimates (a cost learned as the sweep goes):
  /// `total` for every cell, `done` for those finished, `session` for those
  /// finished in this run.
  public func reestimate(total: Double, done: Double, session: Double) {
    totalWork = max(total, 1e-12)
    doneWork = done
    sessionWork = session
  }

  /// Names a cell that did not end as done (always printed, even when quiet).
  public func report(cell index: Int, outcome: CellOutcome) {
    let text: String
    switch outcome.status {
    case .diverged: text = "cell \(index) diverged at step \(outcome.divergedStep ?? -1)"
    case .failed: text = "cell \(index) failed: \(outcome.message ?? "unknown error")"
    default: return
    }
    FileHandle.standardError.write(Data("warning: \(text)\n".utf8))
  }

  public var line: String {
    let elapsed = Date().timeIntervalSince(start)
    let share = min(doneWork / totalWork, 1)
    let remaining = totalWork - doneWork
    let eta: String
    if sessionWork > 0 && elapsed > 0 && remaining > 0 {
      eta = ProgressReporter.duration(remaining * elapsed / sessionWork)
    } else {
      eta = remaining > 0 ? "unknown" : "0s"
    }
    return String(
      format: "progress: %d/%d cells, %.1f%% of estimated work, elapsed %@, ETA %@",
      doneCells, totalCells, share * 100, ProgressReporter.duration(elapsed), eta)
  }

  private func emit() {
    guard enabled else { return }
    lastPrint = Date()
    if interactive {
      let end = doneCells == totalCells ? "\n" : ""
      StandardStreams.write("\r\u{1B}[K\(line)\(end)")
    } else {
      StandardStreams.write("\(line)\n")
    }
  }

  /// `75s` -> `1m15s`, `3700s` -> `1h01m`.
  public static func duration(_ seconds: Double) -> String {
    let s = Int(seconds.rounded())
    if s < 60 { return "\(s)s" }
    if s < 3600 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
  }
}
