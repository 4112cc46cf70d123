import Foundation

/// Timings kept in the repository, run by `swift test -c release --filter
/// benchmark` or a CLI command: the 4500-start Chinchilla fit (target < 2 s
/// in release) and `replicates` bootstrap refits (target < 30 s for 1000).
public enum FrontierBenchmark {
  /// The Chinchilla table shipped as a test fixture (found relative to this file).
  public static var defaultChinchillaPath: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent(
        "Tests/FrontierTests/Fixtures/chinchilla_svg_extracted_data.csv"
      ).path
  }

  /// Runs the benchmark and returns a readable report.
  public static func run(chinchillaCSVPath: String? = nil, replicates: Int = 1000, threads: Int = 1)
    throws
    -> String
  {
    let path = chinchillaCSVPath ?? defaultChinchillaPath
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
      throw FrontierError.malformedTable(row: 0, reason: "cannot read \(path)")
    }
    let runs = try ExternalRuns.load(
      csv: text, sizeColumn: "Model Size", computeColumn: "Training FLOP", lossColumn: "loss"
    ).droppingHighestLosses(5)
    var options = ParametricFitOptions()
    options.threads = threads
    let clock = ContinuousClock()
    var estimate: ExternalFitReport?
    let fitTime = try clock.measure {
      estimate = try ExternalFrontier.pointEstimate(runs, options: options)
    }
    var bootstrap = BootstrapOptions()
    bootstrap.replicates = replicates
    var replicas: [BootstrapReplicate] = []
    let bootTime = try clock.measure {
      replicas = try ExternalFrontier.bootstrapReplicates(
        runs, pointEstimate: estimate!, options: options, bootstrap: bootstrap,
        range: 0..<replicates)
    }
    let report = ExternalFrontier.combine(estimate!, replicates: replicas, bootstrap: bootstrap)
    let s = report.surface
    func seconds(_ d: Duration) -> Double {
      Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
    var lines = [
      "Chinchilla approach 3, \(report.pointCount) points, \(report.fit.startsRun) starts, \(threads) thread(s):"
        + String(format: " %.3f s", seconds(fitTime)),
      String(
        format: "  E=%.4f A=%.1f a=%.4f B=%.1f b=%.4f objective=%.6e", s.E, s.A, s.a, s.B, s.b,
        s.objective),
      "Bootstrap \(replicates) refits (\(options.bootstrapStarts) warm starts each):"
        + String(format: " %.3f s", seconds(bootTime)),
    ]
    let keys: [Statistic] = [
      .surface(.E), .surface(.a), .surface(.b), .compute(.parametric, .width),
    ]
    for statistic in keys {
      let key = statistic == .compute(.parametric, .width) ? "sizeAllocation" : statistic.name
      if let ci = report.intervals[statistic] {
        lines.append(
          String(
            format: "  %@: SE %.4f, 95%% CI [%.4f, %.4f]", key, ci.standardError, ci.lower, ci.upper
          ))
      }
    }
    return lines.joined(separator: "\n")
  }
}
