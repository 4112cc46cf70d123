import Foundation
import Frontier
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Text, JSON, CSV and SVG outputs of a lazy/rich synthetic sweep shaped like
/// the paper's hard task (alpha = 2, beta = 0.5): `L = N^-1 + t^-chi`,
/// chi = 0.5 lazy, 2/3 rich.
@Suite struct RenderingTests {
  static func sweep() -> [LossCurve] {
    var curves: [LossCurve] = []
    for (gamma, chi) in [(0.0, 0.5), (1.0, 2.0 / 3)] {
      var s = SyntheticSweep(E: 0, A: 1, a: 1, B: 1, b: chi, noise: 0.01)
      s.widths = (0..<7).map { 16 * pow(2, Double($0)) }
      s.steps = (0...40).map { pow(10, Double($0) / 8) }
      s.gamma = gamma
      for var c in s.curves(seed: gamma == 0 ? 7 : 8) {
        c.task = "hard"
        c.taskAlpha = 2
        c.taskBeta = 0.5
        curves.append(c)
      }
    }
    return curves
  }

  static func report(replicates: Int) throws -> FrontierReport {
    var options = SyntheticRecoveryTests.fastOptions()
    options.computeMeasure = .nt
    options.bootstrap.replicates = replicates
    return try ComputeOptimalFrontier.analyze(sweep(), options: options)
  }

  @Test func jsonHasParametricKeysWithIntervals() throws {
    let report = try Self.report(replicates: 20)
    let json = FrontierJSON.render(report)
    let root = try #require(
      try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let slices = try #require(root["slices"] as? [[String: Any]])
    #expect(slices.count == 2)
    for slice in slices {
      let parametric = try #require(slice["parametric"] as? [String: Any])
      // The sweep has no floor (E = 0): E runs to 0 and is shown as "-".
      let e = try #require(parametric["E"] as? [String: Any])
      #expect(e["value"] is NSNull && e["rejected"] as? String == "E -> 0: no loss floor resolved")
      for key in ["A", "a", "B", "b"] {
        let q = try #require(parametric[key] as? [String: Any], "missing \(key)")
        #expect(
          q["value"] is Double && q["lower"] is Double && q["upper"] is Double,
          "\(key): \(q["rejected"] ?? "")")
      }
      #expect((slice["comparisons"] as? [Any])?.isEmpty == false)
    }
    // Theory: lazy and rich predictions sit beside the measurements.
    let text = FrontierText.render(report)
    #expect(text.contains("lazy") && text.contains("rich") && text.contains("theory"))
    let tables = FrontierCSV.tables(report)
    #expect(tables["exponents.csv"]!.split(separator: "\n").count > 20)
    #expect(tables["envelope.csv"]!.hasPrefix("gamma,task,data,compute,loss,width,steps"))
  }

  @Test func svgIsWellFormedAndRenders() throws {
    let report = try Self.report(replicates: 0)
    var options = SyntheticRecoveryTests.fastOptions()
    options.computeMeasure = .nt
    options.bootstrap.replicates = 0
    let analysis = try ComputeOptimalFrontier.prepare(Self.sweep(), options: options)
    let svg = FrontierSVG.render(report, analysis: analysis)
    let document = try XMLDocument(data: Data(svg.utf8))
    #expect(document.rootElement()?.name == "svg")
    #expect(svg.components(separatedBy: "<polyline").count > 30)
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
      "frontier-svg-test")
    try FrontierOutput.write(["frontier.svg": svg], to: directory.path)
    let converter = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"].first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
    guard let converter else { return }  // librsvg2-bin not installed: XML check only
    let process = Process()
    process.executableURL = URL(fileURLWithPath: converter)
    let png = directory.appendingPathComponent("frontier.png")
    process.arguments = ["-o", png.path, directory.appendingPathComponent("frontier.svg").path]
    try process.run()
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
    let bytes = try Data(contentsOf: png)
    #expect(bytes.count > 10_000)
    #expect(bytes.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
  }

  @Test func richBeatsLazyAndTheoryIsCovered() throws {
    let report = try Self.report(replicates: 0)
    let lazy = try #require(report.slices.first { $0.regime == .lazy })
    let rich = try #require(report.slices.first { $0.regime == .rich })
    let lazyTime = try #require(lazy.estimates[.time])
    let richTime = try #require(rich.estimates[.time])
    #expect(abs(lazyTime + 0.5) < 0.05 && abs(richTime + 2.0 / 3) < 0.06, "\(lazyTime) \(richTime)")
    // Compute-optimal loss exponents: 1/3 lazy, 0.4 rich (C = N t).
    #expect(abs(lazy.estimates[.compute(.parametric, .loss)]! + 1.0 / 3) < 0.03)
    #expect(abs(rich.estimates[.compute(.parametric, .loss)]! + 0.4) < 0.03)
  }
}
