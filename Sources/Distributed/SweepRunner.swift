import Foundation
import SweepSpec

#if canImport(Glibc)
  import Glibc
#endif

/// Runs a job's cells over all ranks.
///
/// Rank 0 is the coordinator and also trains: between its own training steps
/// it answers work requests and stores results that workers send, so no rank
/// depends on one-sided MPI progress and load stays balanced across nodes.
/// Every other rank asks for a cell, trains it, sends the learning curve back
/// and asks again, until told there is no more work.
public struct SweepRunner {
  /// Trains one cell; `between` must be called after every step and the cell
  /// abandoned (returning nil) when it returns false.
  public typealias Train = (Cell, _ between: () -> Bool) -> CellOutcome?
  /// Stores a finished cell (rank 0 only): index, outcome, seconds, rank.
  public typealias Record = (Int, CellOutcome, Double, Int) throws -> Void

  public let comm: Comm
  public let job: JobSpec
  /// How often (seconds) a training rank 0 checks for messages.
  public var pollInterval = 0.005
  /// After a stop signal, a running cell is finished if it will end within
  /// this many seconds (estimated from its pace so far), else abandoned.
  public var gracePeriod = 30.0

  public init(comm: Comm, job: JobSpec) {
    self.comm = comm
    self.job = job
  }

  /// What one run did, as seen by rank 0.
  public struct Summary: Sendable {
    public var cellsRun: Int
    /// True when a stop signal ended the run before every cell was handed out.
    public var interrupted: Bool
    public var secondsByRank: [Double]
    public var makespan: Double
  }

  /// Rank 0: hands out `pending` (already in hand-out order) and records
  /// results. Other ranks: train what they are given. Returns on every rank.
  public func run(
    pending: [Int], cost: @escaping (Int) -> Double, progress: ProgressReporter?, train: Train,
    record: @escaping Record
  ) throws -> Summary {
    if comm.rank == 0 {
      let coordinator = Coordinator(
        comm: comm, queue: pending, cost: cost, progress: progress, record: record)
      return try coordinator.run(
        job: job, train: train, pollInterval: pollInterval, gracePeriod: gracePeriod)
    } else {
      try work(train: train)
      return Summary(cellsRun: 0, interrupted: StopSignal.requested, secondsByRank: [], makespan: 0)
    }
  }

  private func work(train: Train) throws {
    let cells = job.cells
    try comm.send([], to: 0, tag: Tag.request.rawValue)
    while true {
      let message = try comm.receive(from: 0, tag: Tag.assign.rawValue)
      guard let first = message.payload.first, first >= 0 else { return }
      let index = Int(first)
      let start = Date()
      let cell = cells[index]
      var clock = GraceClock(budget: cell.stepsBudget, grace: gracePeriod)
      var lastPoll = Comm.time
      let outcome = train(cell) {
        let now = Comm.time
        if now - lastPoll >= 0.05 {
          lastPoll = now
          // Rank 0 passes on a stop it received to every rank.
          if (try? comm.poll(from: 0, tag: Tag.halt.rawValue)) != nil { StopSignal.request() }
        }
        return clock.keepGoing()
      }
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
/// finish the cell if its remaining steps, at the pace so far, fit in the grace period.
struct GraceClock {
  let budget: Int
  let grace: Double
  let start = Comm.time
  var steps = 0

  init(budget: Int, grace: Double) {
    self.budget = budget
    self.grace = grace
  }

  mutating func keepGoing() -> Bool {
    steps += 1
    guard StopSignal.requested else { return true }
    let elapsed = Comm.time - start
    let remaining = elapsed / Double(steps) * Double(budget - steps)
    return remaining <= grace
  }
}

/// Rank 0's state: the queue of cells and the workers still running.
final class Coordinator {
  let comm: Comm
  var queue: ArraySlice<Int>
  let cost: (Int) -> Double
  let progress: ProgressReporter?
  let record: SweepRunner.Record
  var activeWorkers: Int
  var secondsByRank: [Double]
  var cellsRun = 0
  var failure: Error?
  let start = Date()

  init(
    comm: Comm, queue: [Int], cost: @escaping (Int) -> Double, progress: ProgressReporter?,
    record: @escaping SweepRunner.Record
  ) {
    self.comm = comm
    self.queue = queue[...]
    self.cost = cost
    self.progress = progress
    self.record = record
    self.activeWorkers = comm.size - 1
    self.secondsByRank = Array(repeating: 0, count: comm.size)
  }

  func run(
    job: JobSpec, train: SweepRunner.Train, pollInterval: Double, gracePeriod: Double
  ) throws -> SweepRunner.Summary {
    let cells = job.cells
    var lastPoll = Comm.time
    while failure == nil, !StopSignal.requested, let index = queue.popFirst() {
      let start = Date()
      var clock = GraceClock(budget: cells[index].stepsBudget, grace: gracePeriod)
      let outcome = train(cells[index]) {
        let now = Comm.time
        if now - lastPoll >= pollInterval {
          lastPoll = now
          serve(blocking: false)
        }
        return clock.keepGoing()
      }
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

  private func finished(index: Int, outcome: CellOutcome, seconds: Double, rank: Int) {
    do {
      try record(index, outcome, seconds, rank)
    } catch {
      failure = failure ?? error
      return
    }
    cellsRun += 1
    secondsByRank[rank] += seconds
    progress?.cellFinished(work: cost(index))
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
