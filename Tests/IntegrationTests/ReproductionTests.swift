import Foundation
import Testing

/// Reduced reproductions of the paper's qualitative result (model 1, then
/// model 2), end to end (job file -> `mpirun -np 2 scalesweep run` -> HDF5 -> `scalesweep
/// frontier --json`): feature learning speeds up the hard task (beta = 0.5,
/// time exponent 0.5 lazy vs 0.667 rich) and not the easy one
/// (beta = 1.25, equal exponents). docs/reproduction.md has the full jobs.
@Suite struct ReproductionTests {
  /// Two tasks x widths 64 and 256 x lazy / rich x 2 seeds, 2000 steps: about
  /// 20-40 s on 2 ranks. N = 256 with M = 2048 reaches within 10 % of its
  /// width bottleneck after a few hundred steps, so the fit window (the
  /// latest straight decade before the floor) ends there; longer budgets
  /// would not change the fitted exponents.
  static let job = """
    {
      "name": "reproduction-test",
      "model": {"kind": "projected-features", "features": 2048},
      "task": [{"alpha": 2.0, "beta": 0.5}, {"alpha": 2.0, "beta": 1.25}],
      "grid": {"width": [64, 256], "data": ["online"], "gamma": [0.0, 4.0], "seeds": 2,
               "steps": [2000]},
      "training": {"batch": 32, "lr": {"0": 0.5, "4": 0.025}, "record_points": 40}
    }
    """

  /// Stated tolerances (theory: hard gap 0.167, easy gap 0).
  static let minimumHardGap = 0.08
  static let maximumEasyRelativeGap = 0.15

  /// Runs `job` on 2 ranks, then `frontier --json` with `frontierArguments`;
  /// returns the report's slices.
  static func slices(ofRunning job: String, frontierArguments: [String]) throws
    -> [[String: Any]]
  {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let jobPath = dir.appendingPathComponent("job.json").path
    try job.write(toFile: jobPath, atomically: true, encoding: .utf8)
    let out = dir.appendingPathComponent("r.h5").path
    let run = try Harness.mpirun(ranks: 2, ["run", jobPath, "--out", out, "--quiet"])
    try #require(run.status == 0, "\(run.stderr)")
    let result = try Harness.mpirun(
      ranks: 2, ["frontier", out, "--json", "--bootstrap", "0"] + frontierArguments)
    try #require(result.status == 0, "\(result.stderr)")
    // No degenerate number in the report (each is "-" with its reason).
    let extreme = ReportScan.extremeNumbers(in: result.stdout)
    #expect(extreme.isEmpty, "\(extreme)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    return try #require(json["slices"] as? [[String: Any]])
  }

  /// The widest net's time exponents as positive decay rates, hard
  /// (beta 0.5) and easy (beta 1.25) task, lazy and rich.
  struct TimeExponents {
    var hardLazy = 0.0
    var hardRich = 0.0
    var easyLazy = 0.0
    var easyRich = 0.0
    var summary: String {
      "hard lazy \(hardLazy) rich \(hardRich); easy lazy \(easyLazy) rich \(easyRich)"
    }

    init(_ slices: [[String: Any]]) throws {
      var chi: [String: Double] = [:]
      for slice in slices {
        let beta = try #require(slice["taskBeta"] as? Double)
        let regime = try #require(slice["regime"] as? String)
        let widest = try #require((slice["timeFits"] as? [[String: Any]])?.last)
        let exponent = try #require((widest["exponent"] as? [String: Any])?["value"] as? Double)
        chi["\(beta) \(regime)"] = -exponent
      }
      hardLazy = try #require(chi["0.5 lazy"])
      hardRich = try #require(chi["0.5 rich"])
      easyLazy = try #require(chi["1.25 lazy"])
      easyRich = try #require(chi["1.25 rich"])
    }
  }

  @Test func richBeatsLazyOnTheHardTaskOnly() throws {
    let slices = try Self.slices(ofRunning: Self.job, frontierArguments: ["--compute", "nt"])
    #expect(slices.count == 4)
    let chi = try TimeExponents(slices)
    var floorExponent: [Double: Double] = [:]
    for slice in slices {
      let beta = try #require(slice["taskBeta"] as? Double)
      #expect((slice["timeFits"] as? [[String: Any]])?.last?["width"] as? Double == 256)
      // Two widths are too few for a reported fit (the report shows "-",
      // 2 points < 5); the exponent between the two known floors is the check.
      let floor = try #require(slice["widthFloorFit"] as? [String: Any])
      let rejected = (floor["exponent"] as? [String: Any])?["rejected"] as? String
      #expect(rejected == "2 points < 5", "\(floor)")
      let finals = try #require(slice["finalLosses"] as? [[String: Any]])
      let floors = finals.compactMap { f in
        (f["width"] as? Double).flatMap { w in (f["lossFloor"] as? Double).map { (w, $0) } }
      }
      try #require(floors.count == 2)
      floorExponent[beta] = log(floors[1].1 / floors[0].1) / log(floors[1].0 / floors[0].0)
    }
    let (hardLazy, hardRich, easyLazy, easyRich) = (
      chi.hardLazy, chi.hardRich, chi.easyLazy, chi.easyRich
    )
    let summary = chi.summary
    print("reproduction: time exponents (N = 256): \(summary); floor exponents \(floorExponent)")

    // Hard task: rich beats lazy by a clear margin, both near theory.
    #expect(hardRich - hardLazy > Self.minimumHardGap, "\(summary)")
    #expect(abs(hardLazy - 0.5) < 0.1, "\(summary)")
    #expect(abs(hardRich - 2.0 / 3.0) < 0.13, "\(summary)")
    // Easy task: no speed-up; lazy and rich agree.
    #expect(abs(easyRich - easyLazy) / easyLazy < Self.maximumEasyRelativeGap, "\(summary)")
    #expect(hardRich - hardLazy > easyRich - easyLazy, "\(summary)")
    // The exact width bottleneck (/cells/loss_floor) scales as N^-(alpha min(1, beta)).
    let hardFloor = try #require(floorExponent[0.5])
    let easyFloor = try #require(floorExponent[1.25])
    #expect(hardFloor < -0.8 && hardFloor > -1.35, "L_inf ~ N^\(hardFloor), theory -1")
    #expect(easyFloor < -1.6 && easyFloor > -2.7, "L_inf ~ N^\(easyFloor), theory -2")
  }

  /// Model 2 (science.md "What a correct implementation shows" 5): depth 4,
  /// N = 64, B = 64, eta0 = 0.5, gamma0 0.01 (lazy) and 1 (rich), 12 seeds,
  /// 10^4 steps, `frontier --time-range 100:10000` (one window for both
  /// regimes). Measured: q = 1 lazy 0.306, rich 0.368 (ratio 1.20);
  /// q = 1.75 lazy 0.796, rich 0.805 (1.01). A bootstrap over the 12 seeds
  /// gives ratio 1.20 +- 0.045 (hard) and 1.01 +- 0.04 (easy); single rich
  /// seeds scatter a lot (spikes), so fewer seeds or N = 128 with 6 seeds
  /// made the easy ratio wander by +-15 %. The tolerances below sit beyond
  /// the 1 % bootstrap quantiles. About 40 s on 2 ranks.
  static let mlpJob = """
    {
      "name": "reproduction-test-mlp",
      "model": {"kind": "mlp-circle", "depth": 4, "test_points": 1025, "modes": 512},
      "task": [{"q": 1.0}, {"q": 1.75}],
      "grid": {"width": [64], "gamma": [0.01, 1.0], "seeds": 12, "steps": [10000]},
      "training": {"batch": 64, "lr": 0.5, "record_points": 40}
    }
    """

  @Test func mlpRichBeatsLazyOnTheHardTargetOnly() throws {
    let slices = try Self.slices(
      ofRunning: Self.mlpJob,
      // The tolerances were set from bootstrap quantiles of the geometric mean;
      // the running minimum (mlp-circle's default since issue 17) gave hard
      // lazy 0.307, rich 0.353, easy 0.796 / 0.773: the same verdicts.
      frontierArguments: ["--time-range", "100:10000", "--seed-average", "geometric-mean"])
    #expect(slices.count == 4)
    let chi = try TimeExponents(slices)
    print("reproduction (mlp-circle, N = 64): time exponents \(chi.summary)")
    // Hard target (q = 1): feature learning speeds training up.
    #expect(chi.hardRich > 1.08 * chi.hardLazy, "\(chi.summary)")
    // Easy target (q = 1.75): it does not; the two agree within seed scatter.
    #expect(abs(chi.easyRich / chi.easyLazy - 1) < 0.15, "\(chi.summary)")
    #expect(chi.hardRich / chi.hardLazy > chi.easyRich / chi.easyLazy, "\(chi.summary)")
  }
}
