import Foundation

/// CSV tables of a `FrontierReport`, keyed by suggested file name.
public enum FrontierCSV {
  /// `exponents.csv`, `envelope.csv`, `isoflop.csv`, `time_fits.csv`, `final_losses.csv`.
  public static func tables(_ report: FrontierReport) -> [String: String] {
    [
      "exponents.csv": exponents(report), "envelope.csv": envelope(report),
      "isoflop.csv": isoFLOP(report), "time_fits.csv": timeFits(report),
      "final_losses.csv": finalLosses(report),
    ]
  }

  static func sliceColumns(_ s: SliceReport) -> String {
    "\(format(s.key.gamma)),\(quote(s.key.task)),\(s.key.data.map(format) ?? "online")"
  }

  /// One row per slice and statistic: the stored value (signed slope or
  /// surface parameter), the paper's positive exponent, interval, SE,
  /// prediction; a statistic that breaks a rule has empty numbers and the
  /// reason in `rejected`.
  public static func exponents(_ report: FrontierReport) -> String {
    var lines = [
      "gamma,task,data,statistic,estimate,exponent,lower,upper,standard_error,predicted,consistent,rejected"
    ]
    for s in report.slices {
      for statistic in s.estimates.keys.sorted() {
        let c = s.comparisons.first { $0.statistic == statistic }
        var numbers = ["", "", "", "", ""]
        var rejected = ""
        switch s.reported(statistic) {
        case .number(let value, let interval):
          let bounds = interval.map { statistic.exponent(of: $0) }
          numbers = [
            format(value), format(statistic.exponent(ofSlope: value)),
            bounds.map { format($0.lower) } ?? "", bounds.map { format($0.upper) } ?? "",
            interval.map { format($0.standardError) } ?? "",
          ]
        case .rejected(let reason): rejected = reason.description
        case .absent: break
        }
        lines.append(
          ([sliceColumns(s), quote(statistic.name)] + numbers + [
            c.map { format(statistic.exponent(ofSlope: $0.predicted)) } ?? "",
            c?.consistent.map { $0 ? "true" : "false" } ?? "", quote(rejected),
          ]).joined(separator: ","))
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// Final test loss of every width, one row per slice and width.
  public static func finalLosses(_ report: FrontierReport) -> String {
    var lines = ["gamma,task,data,regime,width,steps,mean,lowest,highest,seeds"]
    for s in report.slices {
      for f in s.finalLosses {
        lines.append(
          "\(sliceColumns(s)),\(s.regime.rawValue),\(format(f.width)),\(format(f.steps)),\(format(f.mean)),\(format(f.lowest)),\(format(f.highest)),\(f.seeds)"
        )
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
