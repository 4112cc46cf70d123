import Foundation
import SweepSpec

/// A rank given up on, and where it ran.
public struct LostRank: Sendable, Equatable {
  public var rank: Int
  public var host: String

  public init(rank: Int, host: String) {
    self.rank = rank
    self.host = host
  }
}

/// Rank 0's message loop: feeds what arrives to a ``Coordinator`` and does
/// what it decides. It only waits on the transport (never on training), so a
/// request is answered within about a millisecond whatever any rank trains.
/// Finished trainings go to a ``CellRecorder`` (with the cells recorded along
/// them, ``JobSpec/derivedOutcomes(of:trained:cells:)``).
public struct CoordinatorLoop {
  public let transport: any Transport
  public let job: JobSpec
  public let plan: SweepPlan
  public let recorder: CellRecorder
  public let progress: ProgressReporter?

  public init(
    transport: any Transport, job: JobSpec, plan: SweepPlan, recorder: CellRecorder,
    progress: ProgressReporter?
  ) {
    self.transport = transport
    self.job = job
    self.plan = plan
    self.recorder = recorder
    self.progress = progress
  }

  /// Runs until every worker is dismissed or lost. Throws the first record
  /// failure once running cells have come back.
  public func run(_ coordinator: inout Coordinator) throws -> SweepRunner.Summary {
    let start = MonotonicClock.now
    let cpuStart = CoordinatorSimulation.threadCPUTime
    var secondsByRank = Array(repeating: 0.0, count: transport.size)
    var cellsRun = 0
    var failure: Error?
    var results = Results(job: job, plan: plan, recorder: recorder, progress: progress)
    let tickEvery = min(0.1, coordinator.liveness.heartbeatInterval / 2)
    var nextTick = start

    func perform(_ actions: [Coordinator.Action]) throws {
      for action in actions {
        switch action {
        case .send(let packet, let rank):
          try transport.send(packet, to: rank)
        case .record(let cell, let outcome, let seconds, let rank):
          do {
            // ── the one place where a finished cell is recorded ──
            try results.record(cell: cell, outcome: outcome, seconds: seconds, rank: rank)
            cellsRun += 1
            secondsByRank[rank] += seconds
          } catch {
            failure = failure ?? error
            try perform(coordinator.stop(now: MonotonicClock.now, halt: false))
          }
        }
      }
    }

    while !coordinator.isFinished {
      var now = MonotonicClock.now
      if StopSignal.requested && !coordinator.stopping {
        try perform(coordinator.stop(now: now, halt: true))
      }
      if now >= nextTick {
        try perform(coordinator.tick(now: now))
        nextTick = now + tickEvery
      }
      if let message = try transport.receive(timeout: max(0, nextTick - now)) {
        guard let packet = Packet(message) else {
          throw CommError(
            operation: "protocol: bad message (tag \(message.tag)) from rank \(message.source)",
            code: -1)
        }
        now = MonotonicClock.now
        try perform(coordinator.receive(packet, from: message.source, now: now))
      }
    }
    if let failure { throw failure }
    var summary = SweepRunner.Summary(
      cellsRun: cellsRun, interrupted: StopSignal.requested, secondsByRank: secondsByRank,
      makespan: MonotonicClock.now - start,
      lost: coordinator.lost.map { LostRank(rank: $0, host: coordinator.hosts[$0]) })
    summary.coordinatorCPUSeconds = CoordinatorSimulation.threadCPUTime - cpuStart
    return summary
  }
}

/// Rank 0's side of finished trainings: stores them and keeps the progress
/// line's estimate (known costs, or seconds learned from finished cells).
struct Results {
  let job: JobSpec
  let cells: [Cell]
  /// The training of each queued cell, with the cells it records on the way.
  let runs: [Int: TrainingRun]
  let recorder: CellRecorder
  let progress: ProgressReporter?
  var estimate: WorkEstimate
  let finishedBefore: [Int]
  var finishedHere: [Int] = []

  init(job: JobSpec, plan: SweepPlan, recorder: CellRecorder, progress: ProgressReporter?) {
    self.job = job
    self.cells = job.cells
    self.runs = Dictionary(uniqueKeysWithValues: plan.runs.map { ($0.cell, $0) })
    self.recorder = recorder
    self.progress = progress
    self.estimate = WorkEstimate(cells: cells, plan: plan)
    self.finishedBefore = plan.finished
  }

  /// Records a finished training (the cells recorded along it first, so a
  /// kill before the trained cell's record leaves it pending and a resumed
  /// run derives them again), names cells that did not end as done, and counts it.
  mutating func record(cell index: Int, outcome: CellOutcome, seconds: Double, rank: Int) throws {
    let run = runs[index] ?? TrainingRun(cell: index)
    let budget = cells[index].stepsBudget
    for derived in job.derivedOutcomes(of: run, trained: outcome, cells: cells) {
      try recorder.record(
        cell: derived.cell, outcome: derived.outcome, seconds: 0, rank: rank, sourceBudget: budget)
      progress?.report(cell: derived.cell, outcome: derived.outcome)
    }
    try recorder.record(
      cell: index, outcome: outcome, seconds: seconds, rank: rank, sourceBudget: nil)
    progress?.report(cell: index, outcome: outcome)
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
