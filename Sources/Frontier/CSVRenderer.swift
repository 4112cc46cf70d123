import Foundation

/// CSV tables of a `FrontierReport`, keyed by suggested file name.
public enum FrontierCSV {
  /// `exponents.csv`, `envelope.csv`, `isoflop.csv`, `time_fits.csv`.
  public static func tables(_ report: FrontierReport) -> [String: String] {
    [
      "exponents.csv": exponents(report), "envelope.csv": envelope(report),
      "isoflop.csv": isoFLOP(report), "time_fits.csv": timeFits(report),
    ]
  }

  static func sliceColumns(_ s: SliceReport) -> String {
    "\(format(s.key.gamma)),\(quote(s.key.task)),\(s.key.data.map(format) ?? "online")"
  }

  /// One row per slice and statistic: estimate, interval, SE, prediction.
  public static func exponents(_ report: FrontierReport) -> String {
    var lines = [
      "gamma,task,data,statistic,estimate,lower,upper,standard_error,predicted,consistent"
    ]
    for s in report.slices {
      let predicted = Dictionary(
        s.comparisons.map { ($0.statistic, $0) }, uniquingKeysWith: { a, _ in a })
      for name in s.estimates.keys.sorted() {
        let ci = s.intervals[name]
        let c = predicted[name]
        lines.append(
          [
            sliceColumns(s), quote(name), format(s.estimates[name]!),
            ci.map { format($0.lower) } ?? "",
            ci.map { format($0.upper) } ?? "", ci.map { format($0.standardError) } ?? "",
            c.map { format($0.predicted) } ?? "", c?.consistent.map { $0 ? "true" : "false" } ?? "",
          ].joined(separator: ","))
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  public static func envelope(_ report: FrontierReport) -> String {
    var lines = ["gamma,task,data,compute,loss,width,steps"]
    for s in report.slices {
      for p in s.envelope?.points ?? [] {
        lines.append(
          "\(sliceColumns(s)),\(format(p.compute)),\(format(p.loss)),\(format(p.width)),\(format(p.steps))"
        )
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  public static func isoFLOP(_ report: FrontierReport) -> String {
    var lines = [
      "gamma,task,data,compute,optimal_width,optimal_steps,optimal_loss,curvature,widths"
    ]
    for s in report.slices {
      for p in s.isoFLOP?.profiles ?? [] {
        lines.append(
          "\(sliceColumns(s)),\(format(p.compute)),\(format(p.optimalWidth)),\(format(p.optimalSteps)),\(format(p.optimalLoss)),\(format(p.curvature)),\(p.widthCount)"
        )
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  public static func timeFits(_ report: FrontierReport) -> String {
    var lines = [
      "gamma,task,data,width,exponent,prefactor,window_lower,window_upper,r_squared,points"
    ]
    for s in report.slices {
      for t in s.timeFits {
        let f = t.fit
        lines.append(
          "\(sliceColumns(s)),\(format(t.width)),\(format(f.exponent)),\(format(f.prefactor)),\(format(f.windowLower)),\(format(f.windowUpper)),\(format(f.rSquared)),\(f.pointCount)"
        )
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func format(_ x: Double) -> String { x.isFinite ? String(format: "%.10g", x) : "" }

  static func quote(_ s: String) -> String {
    s.contains(",") || s.contains("\"") || s.contains("\n")
      ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
  }
}

/// The one side effect of the module: writing rendered outputs to files.
public enum FrontierOutput {
  /// Writes `files` (name -> contents) into `directory`, creating it.
  public static func write(_ files: [String: String], to directory: String) throws {
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw FrontierError.writeFailed(path: directory, reason: "\(error)")
    }
    for (name, text) in files {
      let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
      do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
        throw FrontierError.writeFailed(path: path, reason: "\(error)")
      }
    }
  }
}
