import Distributed
import Foundation
import SweepSpec
import Testing

/// The coordinator and worker loops end to end over the in-memory transport:
/// ranks are threads, training is a short sleep.
@Suite(.serialized) struct LoopTests {
  static func cells(_ n: Int) -> [Cell] {
    (0..<n).map {
      Cell(
        index: $0, task: 0, width: 8, data: .online, gamma: 0, learningRate: 0.1, batch: 8,
        seed: $0, stepsBudget: 10)
    }
  }

  /// Ten steps of `stepSeconds` each, then a one-point curve holding the index.
  static func train(stepSeconds: Double) -> SweepRunner.Train {
    { cell, between in
      for _ in 0..<10 {
        MonotonicClock.sleep(stepSeconds)
        if !between() { return nil }
      }
      return CellOutcome(
        status: .done, steps: [10], trainLoss: [Double(cell.index)], testLoss: [0])
    }
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
    _ network: InMemoryNetwork, cells: [Cell], liveness: Liveness, stepSeconds: Double,
    ends: Ends, trains: [Int: SweepRunner.Train] = [:]
  ) {
    for rank in 1..<network.size {
      let loop = WorkerLoop(
        transport: network.endpoint(rank), cells: cells,
        train: trains[rank] ?? train(stepSeconds: stepSeconds),
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
    let cells = Self.cells(12)
    let liveness = Liveness(rankTimeout: 5)
    let ends = Ends()
    Self.startWorkers(network, cells: cells, liveness: liveness, stepSeconds: 0.001, ends: ends)
    let log = Log()
    var coordinator = Coordinator(
      queue: Array(0..<12), ranks: 4, liveness: liveness, now: MonotonicClock.now)
    // Rank 0 of the network is only the coordinator here: mark it done at once.
    _ = coordinator.receive(.goodbye, from: 0, now: MonotonicClock.now)
    let summary = try CoordinatorLoop(
      transport: network.endpoint(0), cost: { _ in 1 }, progress: nil,
      record: { cell, outcome, _, rank in log.add(cell, rank, outcome.trainLoss[0]) }
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
    let cells = Self.cells(20)
    let liveness = Liveness(rankTimeout: 5)
    let ends = Ends()
    Self.startWorkers(network, cells: cells, liveness: liveness, stepSeconds: 0.002, ends: ends)
    let log = Log()
    var coordinator = Coordinator(
      queue: Array(0..<20), ranks: 3, liveness: liveness, now: MonotonicClock.now)
    _ = coordinator.receive(.goodbye, from: 0, now: MonotonicClock.now)
    #expect(throws: DiskFull.self) {
      _ = try CoordinatorLoop(
        transport: network.endpoint(0), cost: { _ in 1 }, progress: nil,
        record: { cell, _, _, rank in
          if cell == 3 {
            log.add(-1, rank, 0)  // marks when the failure happened
            throw DiskFull()
          }
          log.add(cell, rank, 0)
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
    let cells = Self.cells(16)
    let liveness = Liveness(rankTimeout: 1)
    let ends = Ends()
    // Rank 2 is cut off as soon as it starts its first cell: that cell's
    // result never arrives and neither does anything else from rank 2.
    let normal = Self.train(stepSeconds: 0.02)
    let cutOff: SweepRunner.Train = { cell, between in
      network.disconnect(2)
      return normal(cell, between)
    }
    Self.startWorkers(
      network, cells: cells, liveness: liveness, stepSeconds: 0.02, ends: ends,
      trains: [2: cutOff])
    let log = Log()
    var coordinator = Coordinator(
      queue: Array(0..<16), ranks: 4, liveness: liveness, now: MonotonicClock.now)
    _ = coordinator.receive(.goodbye, from: 0, now: MonotonicClock.now)
    let start = MonotonicClock.now
    let summary = try CoordinatorLoop(
      transport: network.endpoint(0), cost: { _ in 1 }, progress: nil,
      record: { cell, _, _, rank in log.add(cell, rank, 0) }
    ).run(&coordinator)
    ends.group.wait()
    #expect(summary.lost == [LostRank(rank: 2, host: "host2")])
    #expect(log.records.map(\.cell).sorted() == Array(0..<16))
    #expect(!log.records.contains { $0.rank == 2 })
    #expect(ends.ends[2] == .coordinatorLost)
    #expect(ends.ends[1] == .dismissed && ends.ends[3] == .dismissed)
    // Ends within the timeout plus the work, not after a long wait.
    #expect(MonotonicClock.now - start < 10)
  }
}
