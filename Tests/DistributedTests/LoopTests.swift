import Distributed
import Foundation
import SweepSpec
import Testing

/// The coordinator and worker loops end to end over the in-memory transport:
/// ranks are threads, training is a short sleep.
@Suite(.serialized) struct LoopTests {
  /// A job of `n` cells of ten steps each (cell i has seed i).
  static func job(_ n: Int) -> JobSpec {
    JobSpec(
      name: "loops", model: .projectedFeatures(features: 8),
      tasks: [TaskSpec(alpha: 2, beta: 0.5)],
      grid: GridSpec(
        widths: [8], data: [.online], gammas: [0], seeds: Array(0..<n), steps: [10],
        learningRates: [.constant(0.1)], batches: [8]),
      training: TrainingSpec(recordPoints: 1))
  }

  /// Ten steps of `stepSeconds` each (asking the supervisor after each), then
  /// a one-point curve holding the index; `steps` overrides the ten.
  struct SleepRunner: CellRunner {
    var stepSeconds: Double
    var steps = 10
    var onStart: (@Sendable (Cell) -> Void)? = nil
    /// Called when the supervisor said stop.
    var onStop: (@Sendable (Cell) -> Void)? = nil

    func run(_ cell: Cell, budgets: [Int], supervisor: CellSupervisor) throws -> [CellOutcome]? {
      onStart?(cell)
      for step in 1...steps {
        MonotonicClock.sleep(stepSeconds)
        if supervisor.directive(afterStep: step) == .stop {
          onStop?(cell)
          return nil
        }
      }
      return budgets.map { _ in
        CellOutcome(status: .done, steps: [10], trainLoss: [Double(cell.index)], testLoss: [0])
      }
    }
  }

  /// Logs what is recorded; `fail` may throw instead.
  final class LogRecorder: CellRecorder, @unchecked Sendable {
    let log: Log
    let count: Int
    let fail: ((Int, Int) throws -> Void)?
    init(log: Log, count: Int, fail: ((Int, Int) throws -> Void)? = nil) {
      self.log = log
      self.count = count
      self.fail = fail
    }
    var statuses: [CellStatus] { Array(repeating: .pending, count: count) }
    func record(
      cell index: Int, outcome: CellOutcome, seconds: Double, rank: Int, sourceBudget: Int?
    ) throws {
      try fail?(index, rank)
      log.add(index, rank, outcome.trainLoss[0])
    }
  }

  static func coordinatorLoop(
    _ network: InMemoryNetwork, job: JobSpec, recorder: LogRecorder
  ) -> CoordinatorLoop {
    let plan = SweepPlan(job: job, statuses: recorder.statuses)
    return CoordinatorLoop(
      transport: network.endpoint(0), job: job, plan: plan, recorder: recorder, progress: nil)
  }

  final class Log: @unchecked Sendable {
    let lock = NSLock()
    var records: [(cell: Int, rank: Int, value: Double)] = []
    func add(_ cell: Int, _ rank: Int, _ value: Double) {
      lock.lock()
      records.append((cell, rank, value))
      lock.unlock()
    }
  }

  final class Ends: @unchecked Sendable {
    let lock = NSLock()
    var ends: [Int: WorkerEnd] = [:]
    let group = DispatchGroup()
  }

  /// Starts workers 1..<size on threads over `network`; `trains` replaces
  /// the training of some ranks.
  static func startWorkers(
    _ network: InMemoryNetwork, job: JobSpec, liveness: Liveness, stepSeconds: Double,
    ends: Ends, runners: [Int: SleepRunner] = [:]
  ) {
    for rank in 1..<network.size {
      let loop = WorkerLoop(
        transport: network.endpoint(rank), job: job,
        runner: runners[rank] ?? SleepRunner(stepSeconds: stepSeconds),
        liveness: liveness, gracePeriod: 30, host: "host\(rank)")
      let box = Box(loop)
      ends.group.enter()
      Thread {
        let end = (try? box.value.run())?.end ?? .coordinatorLost
        ends.lock.lock()
        ends.ends[rank] = end
        ends.lock.unlock()
        ends.group.leave()
      }.start()
    }
  }

  final class Box<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
  }

  @Test func everyCellIsRecordedOnceAndEveryWorkerIsDismissed() throws {
    let network = InMemoryNetwork(size: 4)
    let job = Self.job(12)
    let liveness = Liveness(rankTimeout: 5)
    let ends = Ends()
    Self.startWorkers(network, job: job, liveness: liveness, stepSeconds: 0.001, ends: ends)
    let log = Log()
    var coordinator = Coordinator(
      queue: Array(0..<12), ranks: 4, liveness: liveness, now: MonotonicClock.now)
    // Rank 0 of the network is only the coordinator here: mark it done at once.
    _ = coordinator.receive(.goodbye, from: 0, now: MonotonicClock.now)
    let summary = try Self.coordinatorLoop(
      network, job: job, recorder: LogRecorder(log: log, count: 12)
    ).run(&coordinator)
    ends.group.wait()
    #expect(log.records.map(\.cell).sorted() == Array(0..<12))
    #expect(log.records.allSatisfy { Double($0.cell) == $0.value })
    #expect(Set(log.records.map(\.rank)).isSubset(of: [1, 2, 3]))
    #expect(summary.cellsRun == 12)
    #expect(summary.lost.isEmpty)
    #expect(ends.ends.values.allSatisfy { $0 == .dismissed })
  }

  @Test func aFailingRecordStopsHandOutsAndIsThrownAfterRunningCellsReturn() throws {
    struct DiskFull: Error {}
    let network = InMemoryNetwork(size: 3)
    let job = Self.job(20)
    let liveness = Liveness(rankTimeout: 5)
    let ends = Ends()
    Self.startWorkers(network, job: job, liveness: liveness, stepSeconds: 0.002, ends: ends)
    let log = Log()
    var coordinator = Coordinator(
      queue: Array(0..<20), ranks: 3, liveness: liveness, now: MonotonicClock.now)
    _ = coordinator.receive(.goodbye, from: 0, now: MonotonicClock.now)
    #expect(throws: DiskFull.self) {
      _ = try Self.coordinatorLoop(
        network, job: job,
        recorder: LogRecorder(log: log, count: 20) { cell, rank in
          if cell == 3 {
            log.add(-1, rank, 0)  // marks when the failure happened
            throw DiskFull()
          }
        }
      ).run(&coordinator)
    }
    ends.group.wait()
    // After the failure, at most the one other running cell comes back: no new hand-outs.
    let failedAt = log.records.firstIndex { $0.cell == -1 }!
    #expect(log.records.count - failedAt - 1 <= 1)
    #expect(ends.ends.values.allSatisfy { $0 == .dismissed })
  }

  @Test func aCutOffRankIsLostItsCellsAreRetrainedAndItStopsItself() throws {
    let network = InMemoryNetwork(size: 4)
    let job = Self.job(16)
    let liveness = Liveness(rankTimeout: 1)
    let ends = Ends()
    // Rank 2 is cut off as soon as it starts its first cell: that cell's
    // result never arrives and neither does anything else from rank 2.
    // Its cell would run far past the timeout: giving up on rank 0 stops it.
    let stopped = Log()
    let cutOff = SleepRunner(
      stepSeconds: 0.02, steps: 100_000, onStart: { _ in network.disconnect(2) },
      onStop: { cell in stopped.add(cell.index, 2, 0) })
    Self.startWorkers(
      network, job: job, liveness: liveness, stepSeconds: 0.02, ends: ends,
      runners: [2: cutOff])
    let log = Log()
    var coordinator = Coordinator(
      queue: Array(0..<16), ranks: 4, liveness: liveness, now: MonotonicClock.now)
    _ = coordinator.receive(.goodbye, from: 0, now: MonotonicClock.now)
    let start = MonotonicClock.now
    let summary = try Self.coordinatorLoop(
      network, job: job, recorder: LogRecorder(log: log, count: 16)
    ).run(&coordinator)
    ends.group.wait()
    #expect(summary.lost == [LostRank(rank: 2, host: "host2")])
    #expect(log.records.map(\.cell).sorted() == Array(0..<16))
    #expect(!log.records.contains { $0.rank == 2 })
    #expect(ends.ends[2] == .coordinatorLost)
    #expect(stopped.records.count == 1)  // its cell was stopped, not left running
    #expect(ends.ends[1] == .dismissed && ends.ends[3] == .dismissed)
    // Ends within the timeout plus the work, not after a long wait.
    #expect(MonotonicClock.now - start < 10)
  }
}
