import Foundation
import Testing

/// A reduced model-1 reproduction of the paper's qualitative result, end to
/// end (job file -> `mpirun -np 2 scalesweep run` -> HDF5 -> `scalesweep
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

  @Test func richBeatsLazyOnTheHardTaskOnly() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let jobPath = dir.appendingPathComponent("job.json").path
    try Self.job.write(toFile: jobPath, atomically: true, encoding: .utf8)
    let out = dir.appendingPathComponent("r.h5").path
    let run = try Harness.mpirun(ranks: 2, ["run", jobPath, "--out", out, "--quiet"])
    try #require(run.status == 0, "\(run.stderr)")
    let result = try Harness.mpirun(
      ranks: 2, ["frontier", out, "--json", "--compute", "nt", "--bootstrap", "0"])
    try #require(result.status == 0, "\(result.stderr)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let slices = try #require(json["slices"] as? [[String: Any]])
    #expect(slices.count == 4)

    // Time exponent (positive decay rate) of the widest net, per (beta, regime).
    var chi: [String: Double] = [:]
    var floorExponent: [Double: Double] = [:]
    for slice in slices {
      let beta = try #require(slice["taskBeta"] as? Double)
      let regime = try #require(slice["regime"] as? String)
      let fits = try #require(slice["timeFits"] as? [[String: Any]])
      let widest = try #require(fits.last)
      #expect(widest["width"] as? Double == 256)
      let exponent = try #require((widest["exponent"] as? [String: Any])?["value"] as? Double)
      chi["\(beta) \(regime)"] = -exponent
      let floor = try #require(slice["widthFloorFit"] as? [String: Any])
      floorExponent[beta] = try #require((floor["exponent"] as? [String: Any])?["value"] as? Double)
    }
    let hardLazy = try #require(chi["0.5 lazy"])
    let hardRich = try #require(chi["0.5 rich"])
    let easyLazy = try #require(chi["1.25 lazy"])
    let easyRich = try #require(chi["1.25 rich"])
    let summary = "hard lazy \(hardLazy) rich \(hardRich); easy lazy \(easyLazy) rich \(easyRich)"
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
}
