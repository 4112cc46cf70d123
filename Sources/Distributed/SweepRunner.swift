import Foundation
import SweepSpec

#if canImport(Glibc)
  import Glibc
#endif

/// Runs a job's cells over all ranks: plan -> hand out -> run a cell -> record.
///
/// Rank 0 is the coordinator and also trains: between its own training steps
/// it answers work requests and stores results that workers send, so no rank
/// depends on one-sided MPI progress and load stays balanced across nodes.
/// Every other rank asks for a cell, trains it, sends the learning curve back
/// and asks again, until told there is no more work. What trains a cell is a
/// ``CellRunner``; where it is stored, a ``CellRecorder``: the loop knows
/// neither model nor file.
public struct SweepRunner {
  public let comm: Comm
  public let job: JobSpec
  public let runner: any CellRunner
  /// How often (seconds) a training rank 0 checks for messages.
  public var pollInterval = 0.005
  /// After a stop signal, a running cell is finished if it will end within
  /// this many seconds (estimated from its pace so far), else stopped.
  public var gracePeriod = 30.0

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
  }

  /// Rank 0: hands out the plan's pending cells and records results through
  /// `recorder`. Other ranks (pass nil for both): run what they are given.
  /// Returns on every rank.
  public func run(plan: SweepPlan?, recorder: CellRecorder?, progress: ProgressReporter?) throws
    -> Summary
  {
    if comm.rank == 0, let plan, let recorder {
      let coordinator = Coordinator(
        comm: comm, job: job, plan: plan, recorder: recorder, progress: progress)
      return try coordinator.run(
        runner: runner, pollInterval: pollInterval, gracePeriod: gracePeriod)
    } else {
      try work()
      return Summary(cellsRun: 0, interrupted: StopSignal.requested, secondsByRank: [], makespan: 0)
    }
  }

  private func work() throws {
    let cells = job.cells
    try comm.send([], to: 0, tag: Tag.request.rawValue)
    while true {
      let message = try comm.receive(from: 0, tag: Tag.assign.rawValue)
      guard let first = message.payload.first, first >= 0 else { return }
      let index = Int(first)
      let start = Date()
      let cell = cells[index]
      let supervisor = WorkerSupervisor(
        comm: comm, clock: GraceClock(budget: cell.stepsBudget, grace: gracePeriod))
      let outcome = runner.outcome(of: cell, job: job, supervisor: supervisor)
      if let outcome {
        let seconds = Date().timeIntervalSince(start)
        try comm.send(
          WireFormat.encode(cell: index, outcome: outcome, seconds: seconds), to: 0,
          tag: Tag.result.rawValue)
      }
      if StopSignal.requested {
        // Tell the coordinator this rank takes no more work, and why.
        try comm.send([], to: 0, tag: Tag.stopping.rawValue)
        _ = try comm.receive(from: 0, tag: Tag.assign.rawValue)
        return
      }
      try comm.send([], to: 0, tag: Tag.request.rawValue)
    }
  }
}

/// Decides, between steps of one cell, whether to go on after a stop signal:
/// finish the cell if its remaining steps, at the pace so far, fit in the
/// grace period, and never go on longer than the grace period after the stop.
struct GraceClock {
  let budget: Int
  let grace: Double
  let start = Comm.time
  var stopSeen: Double?

  init(budget: Int, grace: Double) {
    self.budget = budget
    self.grace = grace
  }

  mutating func directive(afterStep step: Int) -> CellDirective {
    guard StopSignal.requested else { return .proceed }
    let now = Comm.time
    if stopSeen == nil { stopSeen = now }
    guard step > 0, now - (stopSeen ?? now) <= grace else { return .stop }
    let remaining = (now - start) / Double(step) * Double(budget - step)
    return remaining <= grace ? .proceed : .stop
  }
}

/// A worker's cell: passes on a stop rank 0 received, then asks the grace clock.
final class WorkerSupervisor: CellSupervisor {
  let comm: Comm
  var clock: GraceClock
  var lastPoll = Comm.time

  init(comm: Comm, clock: GraceClock) {
    self.comm = comm
    self.clock = clock
  }

  func directive(afterStep step: Int) -> CellDirective {
    let now = Comm.time
    if now - lastPoll >= 0.05 {
      lastPoll = now
      // Rank 0 passes on a stop it received to every rank.
      if (try? comm.poll(from: 0, tag: Tag.halt.rawValue)) != nil { StopSignal.request() }
    }
    return clock.directive(afterStep: step)
  }
}

/// Rank 0's own cell: answers other ranks every `pollInterval`, then asks the grace clock.
final class CoordinatorSupervisor: CellSupervisor {
  unowned let coordinator: Coordinator
  var clock: GraceClock
  let pollInterval: Double

  init(coordinator: Coordinator, clock: GraceClock, pollInterval: Double) {
    self.coordinator = coordinator
    self.clock = clock
    self.pollInterval = pollInterval
  }

  func directive(afterStep step: Int) -> CellDirective {
    let now = Comm.time
    if now - coordinator.lastPoll >= pollInterval {
      coordinator.lastPoll = now
      coordinator.serve(blocking: false)
    }
    return clock.directive(afterStep: step)
  }
}

/// Rank 0's state: the queue of trainings (by trained cell) and the workers still running.
final class Coordinator {
  let comm: Comm
  let job: JobSpec
  let cells: [Cell]
  var queue: ArraySlice<Int>
  /// The training of each queued cell, with the cells it records on the way.
  let runs: [Int: TrainingRun]
  let recorder: CellRecorder
  let progress: ProgressReporter?
  var estimate: WorkEstimate
  var activeWorkers: Int
  var secondsByRank: [Double]
  var cellsRun = 0
  var finishedHere: [Int] = []
  let finishedBefore: [Int]
  var failure: Error?
  var lastPoll = Comm.time
  let start = Date()

  init(
    comm: Comm, job: JobSpec, plan: SweepPlan, recorder: CellRecorder, progress: ProgressReporter?
  ) {
    self.comm = comm
    self.job = job
    self.cells = job.cells
    self.queue = plan.runs.map(\.cell)[...]
    self.runs = Dictionary(uniqueKeysWithValues: plan.runs.map { ($0.cell, $0) })
    self.recorder = recorder
    self.progress = progress
    self.estimate = WorkEstimate(cells: cells, plan: plan)
    self.finishedBefore = plan.finished
    self.activeWorkers = comm.size - 1
    self.secondsByRank = Array(repeating: 0, count: comm.size)
  }

  func run(runner: any CellRunner, pollInterval: Double, gracePeriod: Double) throws
    -> SweepRunner.Summary
  {
    while failure == nil, !StopSignal.requested, let index = queue.popFirst() {
      let start = Date()
      let supervisor = CoordinatorSupervisor(
        coordinator: self, clock: GraceClock(budget: cells[index].stepsBudget, grace: gracePeriod),
        pollInterval: pollInterval)
      let outcome = runner.outcome(of: cells[index], job: job, supervisor: supervisor)
      if let outcome {
        finished(index: index, outcome: outcome, seconds: Date().timeIntervalSince(start), rank: 0)
      }
      serve(blocking: false)
    }
    while activeWorkers > 0 && failure == nil {
      serve(blocking: true)
    }
    if let failure { throw failure }
    return SweepRunner.Summary(
      cellsRun: cellsRun, interrupted: StopSignal.requested, secondsByRank: secondsByRank,
      makespan: Date().timeIntervalSince(start))
  }

  var haltSent = false

  /// Handles waiting messages; if `blocking`, waits (polling, so that a stop
  /// signal is noticed) until at least one arrived.
  func serve(blocking: Bool) {
    do {
      var handled = false
      repeat {
        if StopSignal.requested && !haltSent {
          haltSent = true
          for worker in 1..<max(comm.size, 1) {
            try comm.send([], to: worker, tag: Tag.halt.rawValue)
          }
        }
        while let m = try comm.poll() {
          try handle(m)
          handled = true
        }
        if blocking && !handled { usleep(2000) }
      } while blocking && !handled
    } catch {
      failure = failure ?? error
    }
  }

  private func handle(_ message: Message) throws {
    switch Tag(rawValue: message.tag) {
    case .stopping:
      // A worker was signalled: it takes no more work, and neither does anyone.
      StopSignal.request()
      try comm.send([-1], to: message.source, tag: Tag.assign.rawValue)
      activeWorkers -= 1
    case .request:
      if failure == nil, !StopSignal.requested, let next = queue.popFirst() {
        try comm.send([Double(next)], to: message.source, tag: Tag.assign.rawValue)
      } else {
        try comm.send([-1], to: message.source, tag: Tag.assign.rawValue)
        activeWorkers -= 1
      }
    case .result:
      guard let decoded = WireFormat.decode(message.payload) else {
        throw CommError(operation: "decode of a result from rank \(message.source)", code: -1)
      }
      finished(
        index: decoded.cell, outcome: decoded.outcome, seconds: decoded.seconds,
        rank: message.source)
    default:
      throw CommError(
        operation: "protocol: unexpected tag \(message.tag) from rank \(message.source)", code: -1)
    }
  }

  /// Records a finished training (the cells recorded along it first, so a
  /// kill before the trained cell's record leaves it pending and a resumed
  /// run derives them again), names cells that did not end as done, and counts it.
  private func finished(index: Int, outcome: CellOutcome, seconds: Double, rank: Int) {
    let run = runs[index] ?? TrainingRun(cell: index)
    let budget = cells[index].stepsBudget
    do {
      for derived in job.derivedOutcomes(of: run, trained: outcome, cells: cells) {
        try recorder.record(
          cell: derived.cell, outcome: derived.outcome, seconds: 0, rank: rank,
          sourceBudget: budget)
        progress?.report(cell: derived.cell, outcome: derived.outcome)
      }
      try recorder.record(
        cell: index, outcome: outcome, seconds: seconds, rank: rank, sourceBudget: nil)
    } catch {
      failure = failure ?? error
      return
    }
    progress?.report(cell: index, outcome: outcome)
    cellsRun += 1
    secondsByRank[rank] += seconds
    finishedHere.append(index)
    // A learned cost re-estimates every cell: often while it is cheap, then
    // at doubling counts so a huge grid stays linear overall.
    let count = finishedHere.count
    if estimate.learning {
      estimate.finished(index, seconds: seconds)
    }
    if estimate.learning && (job.cellCount <= 10_000 || count & (count - 1) == 0) {
      let all = job.cellCount
      progress?.reestimate(
        total: (0..<all).reduce(0) { $0 + estimate.work(of: $1) },
        done: (finishedBefore + finishedHere).reduce(0) { $0 + estimate.work(of: $1) },
        session: finishedHere.reduce(0) { $0 + estimate.work(of: $1) })
    }
    progress?.cellFinished(work: estimate.learning ? 0 : estimate.work(of: index))
  }
}

extension SweepRunner {
  /// Rank 0: tells every worker there is no work (after a setup failure or
  /// when nothing is pending), so all ranks end cleanly.
  public func dismissWorkers() throws {
    guard comm.rank == 0 else { return }
    for _ in 1..<max(comm.size, 1) {
      let request = try comm.receive(tag: Tag.request.rawValue)
      try comm.send([-1], to: request.source, tag: Tag.assign.rawValue)
    }
  }
}
