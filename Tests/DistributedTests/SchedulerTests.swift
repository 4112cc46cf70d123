import Distributed
import Testing

@Suite struct SchedulerTests {
  /// The heap gives what the old linear scan gave: each cell to the rank that is free first.
  @Test func simulatedMakespanMatchesAScanOverEveryRank() {
    var state: UInt64 = 7
    let costs = (0..<300).map { _ -> Double in
      state = state &* 6_364_136_223_846_793_005 &+ 1
      return Double(state >> 40) / Double(1 << 24) * 10 + 0.01
    }
    for ranks in [1, 2, 7, 64, 299, 300, 1000] {
      var finish = [Double](repeating: 0, count: ranks)
      for cost in costs {
        let idle = finish.indices.min { finish[$0] < finish[$1] }!
        finish[idle] += cost
      }
      #expect(Scheduler.simulatedMakespan(costs: costs, ranks: ranks) == finish.max()!)
    }
  }

  /// Ranks beyond the cell count cost nothing: 10^11 ranks answer at once.
  @Test func ranksBeyondTheCellCountAreNeverAllocated() {
    #expect(Scheduler.simulatedMakespan(costs: [3, 1, 1], ranks: 100_000_000_000) == 3)
    #expect(Scheduler.simulatedMakespan(costs: [], ranks: 5) == 0)
  }

  @Test func theLauncherIsReadFromOneListOfVariables() {
    #expect(Launcher.rank(environment: [:]) == nil)
    #expect(Launcher.rank(environment: ["OMPI_COMM_WORLD_RANK": "3"]) == 3)
    #expect(Launcher.rank(environment: ["PMIX_RANK": "2"]) == 2)
    #expect(Launcher.rank(environment: ["PMI_RANK": "1"]) == 1)  // PMI-1/2 (e.g. srun --mpi=pmi2)
    #expect(Launcher.rank(environment: ["SLURM_PROCID": "4"]) == 4)
  }
}
