import Foundation
import SweepSpec
import Testing
import Training

/// The issue-17 check on one core: the zero-phase hard target
/// (`y = s sum_k k^-1 cos(k theta)`), depth 4, N = 128, B = 64, 10^4 steps.
///
/// Measured (scalesweep run, 6 seeds; docs/models.md):
/// - lazy gamma0 = 0.0001 (eta0 = 0.5) ends at its kernel-at-init prediction:
///   per seed +3.6 %, -9.4 %, -4.8 %, +7.2 % (seeds 0-3), so two seeds'
///   geometric mean sits within about 6 % (one standard deviation);
///   gamma0 = 0.001 still drifts: 0.85 of the prediction over 6 seeds.
/// - rich gamma0 = 1 (eta0 = 0.1), best loss so far at 10^4 steps: 0.0134,
///   0.0062, 0.0081 (seeds 0-2), against kernel predictions 0.0179, 0.0190,
///   0.0459: geometric means 0.0088 vs 0.0250, ratio 0.35; single seeds
///   range 0.26-0.75, so one seed is not enough.
///
/// Those numbers predate the ziggurat normals (new initialisations); with
/// them this test reads lazy/kernel 1.07 and rich/lazy 0.28.
///
/// Kept to five cells (23 s on one core, measured on the shared machine): the lazy check trains two
/// seeds, and rich is compared with lazy through the kernel prediction, which
/// the lazy check has just confirmed; the six-seed run is in docs/models.md.
@Suite struct LazyRichZeroPhaseTests {
  init() { BLAS.useSingleThread() }

  static let job = """
    {
      "name": "zero-phase-n128",
      "model": {"kind": "mlp-circle", "depth": 4, "test_points": 1025, "modes": 512},
      "task": {"q": 1.0, "phases": "zero"},
      "grid": {"width": [128], "gamma": [0.0001, 1.0], "seeds": 3, "steps": [10000]},
      "training": {"batch": 64, "lr": {"0.0001": 0.5, "1": 0.1}, "record_points": 30}
    }
    """

  @Test func richBeatsLazyAndLazyFollowsItsKernel() throws {
    let job = try JobSpec.parse(Self.job, file: "zero-phase-n128.json")
    let trainer = MLPCircleTrainer(job: job)
    // The kernel-at-init prediction of each seed at t = 10^4.
    var predicted: [Double] = []
    for seed in job.grid.seeds {
      var one = job
      one.grid.seeds = [seed]
      let b = try #require(
        KernelAtInitBaseline.compute(
          job: one, width: 128, learningRate: 0.5, points: 1024, steps: [10_000])?.first)
      predicted.append(b.loss[0])
    }
    func geometricMean(_ x: [Double]) -> Double {
      exp(x.map { log($0) }.reduce(0, +) / Double(x.count))
    }
    func final(_ cell: Cell) throws -> [Double] {
      let outcome = try trainer.train(cell)
      #expect(outcome.status == .done)
      return outcome.testLoss
    }
    let lazySeeds = [0, 1]
    let lazy = try lazySeeds.map { seed in
      try final(job.cells.first { $0.gamma == 0.0001 && $0.seed == seed }!).last!
    }
    let lazyRatio = geometricMean(lazy) / geometricMean(lazySeeds.map { predicted[$0] })
    #expect(abs(lazyRatio - 1) < 0.15, "lazy \(lazy) vs kernel \(predicted)")

    let richBest = try job.grid.seeds.map { seed in
      try final(job.cells.first { $0.gamma == 1 && $0.seed == seed }!).min()!
    }
    let ratio = geometricMean(richBest) / geometricMean(predicted)
    #expect(ratio < 0.5, "rich best \(richBest) vs lazy (kernel) \(predicted): ratio \(ratio)")
    print("zero-phase N = 128: lazy/kernel \(lazyRatio), rich best / lazy \(ratio)")
  }
}
