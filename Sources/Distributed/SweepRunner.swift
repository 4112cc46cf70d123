import Foundation
import SweepSpec

#if canImport(Glibc)
  import Glibc
#endif

/// Runs a job's cells over all ranks: plan -> hand out -> run a cell -> record.
///
/// Rank 0's main thread is the coordinator: it hands out cells, records
/// results and watches that ranks are alive, and never trains. Rank 0 also
/// runs a worker (on its own threads, talking to the coordinator through an
/// in-process ``LoopbackTransport``), so every rank trains. A worker's main
/// thread talks to rank 0 while the cell trains on another thread. Only main
/// threads call MPI (`MPI_THREAD_FUNNELED`), and nothing depends on one-sided
/// MPI progress, so load stays balanced across nodes. What trains a cell is a
/// ``CellRunner``; where it is stored, a ``CellRecorder``: the loops know
/// neither model nor file.
public struct SweepRunner {
  public let comm: Comm
  public let job: JobSpec
  public let runner: any CellRunner
  /// After a stop signal, a running cell is finished if it will end within
  /// this many seconds (estimated from its pace so far), else stopped.
  public var gracePeriod = 30.0
  /// When a silent rank counts as lost (`run --rank-timeout`).
  public var liveness = Liveness()

  public init(comm: Comm, job: JobSpec, runner: any CellRunner) {
    self.comm = comm
    self.job = job
    self.runner = runner
  }

  /// What one run did, as seen by rank 0.
  public struct Summary: Sendable {
    public var cellsRun: Int
    /// True when a stop signal ended the run before every cell was handed out.
    public var interrupted: Bool
    public var secondsByRank: [Double]
    public var makespan: Double
    /// Ranks declared lost (rank 0), in the order it happened.
    public var lost: [LostRank] = []
    /// True on a worker that stopped because rank 0 fell silent.
    public var coordinatorLost = false
    /// CPU seconds of rank 0's coordinator thread (messages, recording, progress).
    public var coordinatorCPUSeconds = 0.0
    /// This rank's worker: seconds from each request for work to its answer.
    public var handOutWaits: [Double] = []
  }

  /// Rank 0: hands out the plan's pending trainings and records results
  /// through `recorder`. Other ranks (pass nil for both): run what they are
  /// given. Returns on every rank.
  public func run(plan: SweepPlan?, recorder: CellRecorder?, progress: ProgressReporter?) throws
    -> Summary
  {
    let host = comm.hostName
    let worker = WorkerLoop(
      transport: MPITransport(comm: comm), job: job, runner: runner, liveness: liveness,
      gracePeriod: gracePeriod, host: host)
    guard comm.rank == 0, let plan, let recorder else {
      let report = try worker.run()
      var summary = Summary(
        cellsRun: 0, interrupted: StopSignal.requested, secondsByRank: [], makespan: 0)
      summary.coordinatorLost = report.end == .coordinatorLost
      summary.handOutWaits = report.handOutWaits
      return summary
    }
    let loopback = LoopbackTransport(remote: MPITransport(comm: comm))
    var local = worker
    local.transport = loopback.worker
    let localWorker = LocalWorker(local)
    var coordinator = Coordinator(
      queue: plan.runs.map(\.cell), ranks: comm.size, liveness: liveness, now: MonotonicClock.now)
    var summary = try CoordinatorLoop(
      transport: loopback.coordinator, job: job, plan: plan, recorder: recorder,
      progress: progress
    ).run(&coordinator)
    summary.handOutWaits = try localWorker.join().handOutWaits
    return summary
  }
}

/// Rank 0's own worker, on a thread of its own.
final class LocalWorker: @unchecked Sendable {
  private let finished = DispatchSemaphore(value: 0)
  private var error: Error?
  private var report = WorkerReport(end: .dismissed, handOutWaits: [])

  init(_ loop: WorkerLoop) {
    let box = UncheckedBox(loop)
    let thread = Thread { [self] in
      do { self.report = try box.value.run() } catch { self.error = error }
      finished.signal()
    }
    thread.start()
  }

  /// Waits for the worker's end (it has said goodbye, so this is immediate).
  func join() throws -> WorkerReport {
    finished.wait()
    if let error { throw error }
    return report
  }
}

/// Decides, between steps of one cell, whether to go on after a stop signal:
/// finish the cell if its remaining steps, at the pace so far, fit in the
/// grace period, and never go on longer than the grace period after the stop.
/// Uses the monotonic clock (it runs on training threads, which never call MPI).
struct GraceClock {
  let budget: Int
  let grace: Double
  let start = MonotonicClock.now
  var stopSeen: Double?

  init(budget: Int, grace: Double) {
    self.budget = budget
    self.grace = grace
  }

  mutating func directive(afterStep step: Int) -> CellDirective {
    guard StopSignal.requested else { return .proceed }
    let now = MonotonicClock.now
    if stopSeen == nil { stopSeen = now }
    guard step > 0, now - (stopSeen ?? now) <= grace else { return .stop }
    let remaining = (now - start) / Double(step) * Double(budget - step)
    return remaining <= grace ? .proceed : .stop
  }
}

/// A cell on its training thread: stops at once when its worker gave up on
/// rank 0 (``abandon()``), else asks the grace clock. A stop rank 0 passes on
/// reaches it through ``StopSignal`` (the worker's main thread sets it).
final class WorkerSupervisor: CellSupervisor, @unchecked Sendable {
  private let lock = NSLock()
  private var abandoned = false
  private var clock: GraceClock

  init(clock: GraceClock) {
    self.clock = clock
  }

  /// From the worker's main thread: stop the cell now, whatever the grace.
  func abandon() {
    lock.lock()
    abandoned = true
    lock.unlock()
  }

  func directive(afterStep step: Int) -> CellDirective {
    lock.lock()
    defer { lock.unlock() }
    return abandoned ? .stop : clock.directive(afterStep: step)
  }
}

extension SweepRunner {
  /// Rank 0: tells every worker there is no work (after a setup failure or
  /// when nothing is pending), so all ranks end cleanly.
  public func dismissWorkers() throws {
    guard comm.rank == 0 else { return }
    let plan = SweepPlan(
      job: job, statuses: Array(repeating: CellStatus.done, count: job.cellCount))
    _ = try run(plan: plan, recorder: NothingRecorded(count: job.cellCount), progress: nil)
  }
}

/// The recorder of a run with nothing to run (``SweepRunner/dismissWorkers()``).
private final class NothingRecorded: CellRecorder {
  let statuses: [CellStatus]
  init(count: Int) { statuses = Array(repeating: .done, count: count) }
  func record(
    cell index: Int, outcome: CellOutcome, seconds: Double, rank: Int, sourceBudget: Int?
  ) throws {}
}
