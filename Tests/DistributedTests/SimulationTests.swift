import Distributed
import Foundation
import Testing

/// The real coordinator logic against 1024 virtual ranks.
@Suite struct SimulationTests {
  /// Cell seconds recorded on this machine (Fixtures/recorded-cell-seconds.txt:
  /// `bench/load-balance.sh`'s grid, 2 ranks), one per line.
  static func recordedCosts() throws -> [Double] {
    let url = Bundle.module.url(
      forResource: "recorded-cell-seconds", withExtension: "txt", subdirectory: "Fixtures")!
    return try String(contentsOf: url, encoding: .utf8).split(separator: "\n").compactMap {
      Double($0)
    }
  }

  @Test func a1024RankSweepWithA1000xSpreadIsWithin3PercentOfTheBound() throws {
    let recorded = try Self.recordedCosts()
    // The recorded grid repeated as seeds until every rank has work, trimmed
    // to a 1000x spread (the grid) around the largest cell.
    let largest = recorded.max()!
    let base = recorded.map { max($0, largest / 1000) }
    let costs = Array(repeating: base, count: 512).flatMap { $0 }
    #expect(costs.max()! / costs.min()! >= 999)
    let outcome = CoordinatorSimulation(costs: costs, ranks: 1024).run()
    #expect(outcome.cellsRecorded == costs.count)
    #expect(outcome.makespan <= 1.03 * outcome.lowerBound)
    print(
      String(
        format:
          "simulation: %d cells, 1024 ranks: makespan %.3f s, bound %.3f s (%.4fx); coordinator %.2f us CPU per cell (%.0f cells/s)",
        costs.count, outcome.makespan, outcome.lowerBound, outcome.makespan / outcome.lowerBound,
        1e6 / outcome.cellsPerCPUSecond, outcome.cellsPerCPUSecond))
  }

  /// The one-large-plus-128-tiny case (6.6 s and 128 x 9 ms) on 2 ranks.
  @Test func oneLargeCellAndManyTinyOnesEndWithTheLargeOne() {
    let costs = [6.6] + Array(repeating: 0.009, count: 128)
    let outcome = CoordinatorSimulation(costs: costs, ranks: 2).run()
    #expect(outcome.makespan <= 1.03 * outcome.lowerBound)
  }

  @Test func moreVirtualRanksThanCellsFinishAtTheLargestCell() {
    let outcome = CoordinatorSimulation(costs: [5, 1, 1, 1], ranks: 1024, latency: 0).run()
    #expect(outcome.makespan == 5)
    #expect(outcome.cellsRecorded == 4)
  }
}
