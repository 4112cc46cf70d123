import Foundation
import SweepSpec

/// Carries a value across threads whose hand-over is ordered by a lock or a
/// thread start (the value itself is not `Sendable`).
final class UncheckedBox<Value>: @unchecked Sendable {
  let value: Value
  init(_ value: Value) { self.value = value }
}

/// One cell training on its own thread, so that the thread which talks to
/// the other ranks never waits for a training step (or a cell's set-up).
final class TrainingTask: @unchecked Sendable {
  let index: Int
  private let lock = NSLock()
  private var finished = false
  private var outcome: CellOutcome?
  private var seconds = 0.0
  private let done = DispatchSemaphore(value: 0)
  private let supervisor: WorkerSupervisor

  /// Starts `runner` on `cell` of `job` on a new thread. The cell keeps
  /// going after a stop only if it ends within `grace` seconds (``GraceClock``).
  init(cell: Cell, job: JobSpec, runner: any CellRunner, grace: Double) {
    self.index = cell.index
    let supervisor = WorkerSupervisor(clock: GraceClock(budget: cell.stepsBudget, grace: grace))
    self.supervisor = supervisor
    let box = UncheckedBox((cell, job, runner))
    let thread = Thread { [self] in
      let (cell, job, runner) = box.value
      let start = MonotonicClock.now
      // ── the one place where a rank trains a cell ──
      let outcome = runner.outcome(of: cell, job: job, supervisor: supervisor)
      lock.lock()
      self.outcome = outcome
      seconds = MonotonicClock.now - start
      finished = true
      lock.unlock()
      done.signal()
    }
    thread.stackSize = 8 << 20
    thread.start()
  }

  /// Stops the cell at its next step or check (a command's process group is
  /// terminated), whatever the grace period.
  func abandon() { supervisor.abandon() }

  /// Waits until the cell is finished, at most `timeout` seconds.
  func wait(timeout: Double) {
    if done.wait(timeout: .now() + timeout) == .success { done.signal() }
  }

  /// nil while training; then the outcome (nil if the cell was abandoned) and its seconds.
  var result: (outcome: CellOutcome?, seconds: Double)? {
    lock.lock()
    defer { lock.unlock() }
    return finished ? (outcome, seconds) : nil
  }
}

/// How a worker's loop ended.
public enum WorkerEnd: Sendable, Equatable {
  /// Rank 0 said there is no more work (or, after a stop, to stop).
  case dismissed
  /// Nothing came from rank 0 for the rank timeout: it is gone, so is the job.
  case coordinatorLost
}

/// What a worker's loop did.
public struct WorkerReport: Sendable {
  public var end: WorkerEnd
  /// Seconds from each request for work to its answer (hand-out latency), in order.
  public var handOutWaits: [Double]
}

/// A worker: asks rank 0 for a cell, trains it on a training thread while
/// this thread answers rank 0 and sends heartbeats, sends the result, asks
/// again, until dismissed.
public struct WorkerLoop {
  public var transport: any Transport
  public let job: JobSpec
  public let runner: any CellRunner
  let cells: [Cell]
  public var liveness: Liveness
  public var gracePeriod: Double
  public var host: String

  public init(
    transport: any Transport, job: JobSpec, runner: any CellRunner, liveness: Liveness,
    gracePeriod: Double, host: String
  ) {
    self.transport = transport
    self.job = job
    self.runner = runner
    self.cells = job.cells
    self.liveness = liveness
    self.gracePeriod = gracePeriod
    self.host = host
  }

  public func run() throws -> WorkerReport {
    var lastHeard = MonotonicClock.now
    var lastSent = lastHeard
    var waits: [Double] = []
    var asked = lastHeard
    func send(_ packet: Packet) throws {
      try transport.send(packet, to: 0)
      lastSent = MonotonicClock.now
    }
    try send(.request(host: host))
    asked = lastSent
    var task: TrainingTask?
    func patient() -> Backoff { Backoff(longest: 1e-3, patientLongest: 1e-2, patience: 0.05) }
    var pause = patient()
    var stopAnnounced = false
    while true {
      if StopSignal.requested && !stopAnnounced {
        stopAnnounced = true
        try send(.stopping)
      }
      if let running = task, let result = running.result {
        task = nil
        if let outcome = result.outcome {
          try send(.result(cell: running.index, outcome: outcome, seconds: result.seconds))
        }
        try send(.request(host: host))
        asked = lastSent
        pause = patient()
      }
      // Look at the transport, then wait on the training cell (a finished
      // cell is reported at once) or sleep. Pauses restart short after every
      // message and request, and grow to 10 ms after 50 ms of silence: only
      // heartbeats and halts come then, and a waiting rank stays near idle.
      let message = try transport.receive(timeout: 0)
      if message == nil {
        let step = pause.next()
        if let running = task { running.wait(timeout: step) } else { MonotonicClock.sleep(step) }
      }
      let now = MonotonicClock.now
      if let message {
        lastHeard = now
        pause = patient()
        switch Packet(message) {
        case .assign(let cell)? where cells.indices.contains(cell) && task == nil:
          waits.append(now - asked)
          task = TrainingTask(cell: cells[cell], job: job, runner: runner, grace: gracePeriod)
        case .dismiss?:
          try send(.goodbye)
          return WorkerReport(end: .dismissed, handOutWaits: waits)
        case .halt?:
          StopSignal.request()
        case .heartbeat?:
          break
        default:
          throw CommError(
            operation: "protocol: unexpected tag \(message.tag) from rank \(message.source)",
            code: -1)
        }
      }
      if now - lastHeard > liveness.rankTimeout {
        // Nobody will record the running cell: stop it (a command's process
        // group gets SIGTERM, then SIGKILL after the grace) before leaving.
        if let running = task {
          running.abandon()
          running.wait(timeout: gracePeriod + 1)
        }
        return WorkerReport(end: .coordinatorLost, handOutWaits: waits)
      }
      if now - lastSent >= liveness.heartbeatInterval { try send(.heartbeat) }
    }
  }
}
