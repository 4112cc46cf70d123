import Foundation
import SweepSpec

/// Runs a job's cells over all ranks.
///
/// Rank 0 is the coordinator and also trains: between its own training steps
/// it answers work requests and stores results that workers send, so no rank
/// depends on one-sided MPI progress and load stays balanced across nodes.
/// Every other rank asks for a cell, trains it, sends the learning curve back
/// and asks again, until told there is no more work.
public struct SweepRunner {
  /// Trains one cell; `between` must be called after every step.
  public typealias Train = (Cell, _ between: () -> Void) -> CellOutcome
  /// Stores a finished cell (rank 0 only): index, outcome, seconds, rank.
  public typealias Record = (Int, CellOutcome, Double, Int) throws -> Void

  public let comm: Comm
  public let job: JobSpec
  /// How often (seconds) a training rank 0 checks for messages.
  public var pollInterval = 0.005

  public init(comm: Comm, job: JobSpec) {
    self.comm = comm
    self.job = job
  }

  /// What one run did, as seen by rank 0.
  public struct Summary: Sendable {
    public var cellsRun: Int
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
      return try coordinator.run(job: job, train: train, pollInterval: pollInterval)
    } else {
      try work(train: train)
      return Summary(cellsRun: 0, secondsByRank: [], makespan: 0)
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
      let outcome = train(cells[index]) {}
      let seconds = Date().timeIntervalSince(start)
      try comm.send(
        WireFormat.encode(cell: index, outcome: outcome, seconds: seconds), to: 0,
        tag: Tag.result.rawValue)
      try comm.send([], to: 0, tag: Tag.request.rawValue)
    }
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

  func run(job: JobSpec, train: SweepRunner.Train, pollInterval: Double) throws -> SweepRunner.Summary {
    let cells = job.cells
    var lastPoll = Comm.time
    while failure == nil, let index = queue.popFirst() {
      let start = Date()
      let outcome = train(cells[index]) {
        let now = Comm.time
        if now - lastPoll >= pollInterval {
          lastPoll = now
          serve(blocking: false)
        }
      }
      finished(index: index, outcome: outcome, seconds: Date().timeIntervalSince(start), rank: 0)
      serve(blocking: false)
    }
    while failure == nil && activeWorkers > 0 {
      serve(blocking: true)
    }
    if let failure { throw failure }
    return SweepRunner.Summary(
      cellsRun: cellsRun, secondsByRank: secondsByRank,
      makespan: Date().timeIntervalSince(start))
  }

  /// Handles waiting messages (or the next one, if `blocking`).
  func serve(blocking: Bool) {
    do {
      var message = blocking ? try comm.receive() : try comm.poll()
      while let m = message {
        try handle(m)
        message = try comm.poll()
      }
    } catch {
      failure = failure ?? error
    }
  }

  private func handle(_ message: Message) throws {
    switch Tag(rawValue: message.tag) {
    case .request:
      if failure == nil, let next = queue.popFirst() {
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
      throw CommError(operation: "protocol: unexpected tag \(message.tag) from rank \(message.source)", code: -1)
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
