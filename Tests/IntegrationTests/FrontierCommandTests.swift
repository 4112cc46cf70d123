import Foundation
import ResultStore
import Testing

/// `scalesweep frontier` on real results files and on an external table.
@Suite struct FrontierCommandTests {
  @Test func reportTablesPlotAndStoredGroup() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("r.h5").path
    let run = try Harness.runTinyOnTwoRanks(out: out, failing: [5])
    #expect(run.status == 3, "\(run.stderr)")
    let svg = dir.appendingPathComponent("plot.svg").path
    let csv = dir.appendingPathComponent("csv").path
    let result = try Harness.mpirun(
      ranks: 2,
      [
        "frontier", out, "--json", "--bootstrap", "40", "--svg", svg, "--csv", csv, "--write",
        "--compute", "nt",
      ])
    #expect(result.status == 0, "\(result.stderr)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let slices = try #require(json["slices"] as? [[String: Any]])
    #expect(slices.count == 8)  // 2 tasks x 2 gammas x 2 data sizes
    let parametric = slices.compactMap { $0["parametric"] as? [String: Any] }
    #expect(!parametric.isEmpty)
    for key in ["E", "A", "a", "B", "b"] {
      #expect(parametric[0][key] != nil, "parametric lacks \(key)")
    }
    let warnings = (json["warnings"] as? [String] ?? []).joined(separator: "\n")
    #expect(warnings.contains("left out 1 diverged or failed cells"))
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: csv).contains { $0.hasSuffix(".csv") })
    let svgText = try String(contentsOfFile: svg, encoding: .utf8)
    #expect(svgText.hasPrefix("<svg") || svgText.hasPrefix("<?xml"))
    if FileManager.default.isExecutableFile(atPath: "/usr/bin/rsvg-convert") {
      let png = dir.appendingPathComponent("plot.png").path
      let render = try Harness.run("/usr/bin/rsvg-convert", [svg, "-o", png])
      #expect(render.status == 0, "\(render.stderr)")
      let size = (try? FileManager.default.attributesOfItem(atPath: png)[.size] as? Int) ?? 0
      #expect(size > 10_000)
    }
    let stored = try #require(try ResultsFile.storedFrontier(path: out))
    #expect(stored.contains("\"parametric\""))
    // The file is still a valid results file after --write.
    #expect(try ResultsFile.read(path: out).cells.count == 64)
  }

  /// Two learning-rate rules on the grid are two studies: each gets its own
  /// slices, never one average of both rates' curves.
  @Test func eachLearningRateRuleIsItsOwnStudy() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("lr.h5").path
    let run = try Harness.scalesweep([
      "run", Harness.fixture("lr-axis.json"), "--out", out, "--quiet",
    ])
    try #require(run.status == 0, "\(run.stderr)")
    let result = try Harness.scalesweep(["frontier", out, "--compute", "nt", "--bootstrap", "10"])
    #expect(result.status == 0, "\(result.stderr)")
    let titles = result.stdout.split(separator: "\n").filter { $0.hasPrefix("hard task") }
    #expect(
      titles == [
        "hard task (alpha 2, beta 0.5), online data, lr#0",
        "hard task (alpha 2, beta 0.5), online data, lr#1",
      ], "\(result.stdout)")
  }

  @Test func externalChinchillaTable() throws {
    let table = Harness.packageRoot
      .appendingPathComponent("Tests/FrontierTests/Fixtures/chinchilla_svg_extracted_data.csv").path
    let result = try Harness.scalesweep([
      "frontier", "--table", table, "--size-column", "Model Size", "--compute-column",
      "Training FLOP", "--loss-column", "loss", "--drop-highest", "5", "--bootstrap", "0", "--json",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    let parametric = try #require(json["parametric"] as? [String: Any])
    func value(_ key: String) -> Double {
      (parametric[key] as? [String: Any])?["value"] as? Double ?? .nan
    }
    // Epoch AI's published fit of these 240 runs.
    #expect(abs(value("a") - 0.3473) < 0.005)
    #expect(abs(value("b") - 0.3672) < 0.005)
    #expect(abs(value("E") - 1.8172) < 0.01)
    #expect(abs(value("A") / 477.8 - 1) < 0.05)
    #expect(abs(value("B") / 2143 - 1) < 0.05)
  }

  /// Options that would produce nothing are errors naming why; `--table`
  /// refuses degenerate tables, naming the file in every error.
  @Test func optionsThatProduceNothingAndDegenerateTables() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("r.h5").path
    let run = try Harness.scalesweep(["run", Harness.fixture("tiny.json"), "--out", out, "--quiet"])
    try #require(run.status == 0, "\(run.stderr)")
    let outside = try Harness.scalesweep([
      "frontier", out, "--time-range", "3000000:3500000", "--bootstrap", "0",
    ])
    #expect(outside.status == 2)
    #expect(outside.stderr.contains("--time-range 3000000:3500000 gives no L(t) fit"))
    #expect(outside.stdout.isEmpty)
    let table = dir.appendingPathComponent("runs.csv").path
    try "N,C,L\n1,6,9.541\n2,24,9.541\n4,96,9.541\n8,384,9.541\n16,1536,9.541\n"
      .write(toFile: table, atomically: true, encoding: .utf8)
    let base = [
      "frontier", "--table", table, "--size-column", "N", "--compute-column", "C",
      "--loss-column", "L", "--bootstrap", "0",
    ]
    for (extra, message) in [
      (["--svg", dir.appendingPathComponent("t.svg").path], "--svg applies to results files only"),
      ([], "loss column"), (["--size-column", "M"], "column 'M' not found"),
    ] {
      let result = try Harness.scalesweep(base + extra)
      #expect(result.status == 2, "\(extra): \(result.stdout)")
      #expect(result.stderr.contains(table), "\(extra): \(result.stderr)")
      #expect(result.stderr.contains(message), "\(extra): \(result.stderr)")
      #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("t.svg").path))
    // Five runs on no floor: E runs to 0 and is "-", never 1e-103.
    let five = dir.appendingPathComponent("five.csv").path
    try "N,C,L\n1,6,2.0\n2,48,0.9\n4,384,0.45\n8,3072,0.2\n16,24576,0.11\n"
      .write(toFile: five, atomically: true, encoding: .utf8)
    let fit = try Harness.scalesweep([
      "frontier", "--table", five, "--size-column", "N", "--compute-column", "C",
      "--loss-column", "L", "--bootstrap", "20",
    ])
    #expect(fit.status == 0, "\(fit.stderr)")
    #expect(ReportScan.extremeNumbers(in: fit.stdout).isEmpty, "\(fit.stdout)")
    #expect(fit.stdout.contains("-  ("), "\(fit.stdout)")
  }

  /// `--table --run-column`: rows grouped into learning curves give all
  /// three approaches; the bootstrap resamples whole runs.
  @Test func tableOfLearningCurves() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    var lines = ["run,N,D,C,L"]
    for i in 0..<8 {
      let n = 1e6 * pow(2, Double(i))
      for s in 0..<2 {
        for k in 0..<25 {
          let d = 1e6 * pow(10, Double(k) / 6)
          let wiggle = 1 + 0.003 * sin(Double(7 * i + 3 * s + k))
          let l = (1.7 + 400 * pow(n, -0.34) + 2000 * pow(d, -0.37)) * wiggle
          lines.append("r\(i)-\(s),\(n),\(d),\(6 * n * d),\(l)")
        }
      }
    }
    let table = dir.appendingPathComponent("runs.csv").path
    try (lines.joined(separator: "\n") + "\n").write(
      toFile: table, atomically: true, encoding: .utf8)
    let result = try Harness.scalesweep([
      "frontier", "--table", table, "--run-column", "run", "--size-column", "N",
      "--compute-column", "C", "--loss-column", "L", "--data-column", "D", "--bootstrap", "20",
      "--json",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    #expect(json["bootstrapReplicates"] as? Int == 20)
    let slice = try #require((json["slices"] as? [[String: Any]])?.first)
    #expect((slice["timeFits"] as? [Any])?.count == 8)
    let parametric = try #require(slice["parametric"] as? [String: Any])
    let width = try #require(parametric["widthExponent"] as? [String: Any])
    // b / (a + b) = 0.37 / 0.71.
    #expect(abs((width["value"] as? Double ?? 0) - 0.521) < 0.01, "\(width)")
    #expect(width["lower"] is Double && width["upper"] is Double)
    let bad = try Harness.scalesweep([
      "frontier", "--table", table, "--run-column", "nope", "--size-column", "N",
      "--compute-column", "C", "--loss-column", "L",
    ])
    #expect(bad.status == 2 && bad.stderr.contains(table) && bad.stderr.contains("'nope'"))
  }

  @Test func badInputsAreOneLineErrors() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let junk = dir.appendingPathComponent("junk.h5").path
    try "not hdf5".write(toFile: junk, atomically: true, encoding: .utf8)
    for arguments in [
      ["frontier", junk], ["frontier", dir.appendingPathComponent("none.h5").path],
      ["frontier", junk, "--compute", "joules"],
      ["frontier", junk, "--time-range", "100"], ["frontier", junk, "--time-range", "100:10"],
      ["frontier", junk, "--time-range", "0:10"],
      ["frontier", junk, "--lazy-gamma", "-1"], ["frontier", junk, "--lazy-gamma", "lazy"],
      ["frontier", junk, "--seed-average", "mean"],
      [
        "frontier", "--table", junk, "--size-column", "N", "--compute-column", "C", "--loss-column",
        "L",
      ],
    ] {
      let result = try Harness.scalesweep(arguments)
      #expect(result.status == 2, "\(arguments): \(result.status) \(result.stderr)")
      #expect(result.stderr.split(separator: "\n").count == 1, "\(arguments): \(result.stderr)")
    }
  }
}
