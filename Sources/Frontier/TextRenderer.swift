import Foundation

/// The text report: a one-screen summary (`summary`), then with `details`
/// the full per-statistic table of every slice. Exponents are printed as
/// the paper writes them, positive: `L ~ t^-x`, `L* ~ C^-x`, `N* ~ C^x`.
/// A statistic that breaks a reporting rule is `-` with its reason.
public enum FrontierText {
  public static func render(_ report: FrontierReport, details: Bool = false) -> String {
    details ? summary(report) + "\n" + table(report) : summary(report)
  }

  static func header(_ report: FrontierReport) -> String {
    let level = Int((report.confidenceLevel * 100).rounded())
    let intervals =
      report.bootstrapReplicates > 0
      ? "bootstrap \(report.bootstrapReplicates) replicates, \(level)% intervals"
      : "no bootstrap (no intervals)"
    return
      "Compute-optimal frontier (compute = \(report.computeMeasure == .nt ? "N t" : "FLOPs"), \(intervals)); exponents as the paper writes them: L ~ t^-x, L* ~ C^-x, N* ~ C^x, t* ~ C^x"
  }

  /// Task and data of a slice, e.g. `hard task (alpha 2, beta 0.5), online data`.
  static func title(_ s: SliceReport) -> String {
    if s.key.task == "table" { return "runs of the table (t = data D)" }
    let task =
      s.theory.map { "\($0.taskClass.rawValue) task (alpha \(g($0.alpha)), beta \(g($0.beta)))" }
      ?? "task \(s.key.task)"
    // A grid with several learning-rate rules or batch sizes labels each
    // study in the task (`...,lr#1,batch=64`): name it in the title too.
    let study = s.key.task.split(separator: ",").filter {
      $0.hasPrefix("lr#") || $0.hasPrefix("batch=")
    }
    let suffix = study.isEmpty ? "" : ", " + study.joined(separator: ", ")
    return task + ", " + (s.key.data.map { "P = \(g($0)) samples" } ?? "online data") + suffix
  }

  static func regimeLabel(_ s: SliceReport) -> String {
    if s.key.task == "table" { return "runs" }
    return "\(s.regime.rawValue) (gamma \(g(s.key.gamma)))"
  }

  /// One screen: per task and data size, the lazy-rich verdict, the
  /// compute-optimal exponents and the final losses.
  public static func summary(_ report: FrontierReport) -> String {
    var out = [header(report)]
    var groups: [String] = []
    var members: [String: [SliceReport]] = [:]
    for s in report.slices {
      let id = "\(s.key.task)|\(s.key.data.map { "\($0)" } ?? "online")"
      if members[id] == nil { groups.append(id) }
      members[id, default: []].append(s)
    }
    for id in groups {
      let slices = members[id]!.sorted { $0.key.gamma < $1.key.gamma }
      out.append("")
      out.append(title(slices[0]))
      let lazy = slices.filter { $0.regime == .lazy }
      let rich = slices.filter { $0.regime == .rich }
      if let l = lazy.first {
        for r in rich { out += verdict(lazy: l, rich: r, several: rich.count > 1) }
      }
      out += computeOptimalTable(slices)
      out += finalLossTable(slices)
    }
    for d in report.dataFits {
      out.append("")
      let value: String
      if let rejection = d.rejection {
        value = "- (\(rejection))"
      } else {
        value =
          f(Statistic.data.exponent(ofSlope: d.fit.exponent))
          + (d.interval.map { " " + interval(.data, $0) } ?? "")
      }
      out.append(
        "L ~ P^-x (gamma \(g(d.gamma)), N = \(g(d.width)), t = \(g(d.time))): x = \(value)"
          + (d.predicted.map { ", theory \(f(-$0))" } ?? ""))
    }
    if !report.warnings.isEmpty {
      out.append("")
      out.append(
        "\(report.warnings.count) warning\(report.warnings.count == 1 ? "" : "s") (see stderr or --details)"
      )
    }
    return out.joined(separator: "\n") + "\n"
  }

  /// The verdict in words and numbers: training speed (the widest net's
  /// time exponent) and where each regime ends (final losses).
  static func verdict(lazy: SliceReport, rich: SliceReport, several: Bool) -> [String] {
    var lines: [String] = []
    let prefix = several ? "  gamma \(g(rich.key.gamma)): " : "  "
    let theory = (rich.theory, lazy.theory)
    let theoryText: String
    if let tr = theory.0, let tl = theory.1 {
      theoryText = " (theory \(f(tr.timeExponent)) vs \(f(tl.timeExponent)))"
    } else {
      theoryText = ""
    }
    let widest = rich.timeFits.last.map { " at N = \(g($0.width))" } ?? ""
    switch (lazy.reported(.time), rich.reported(.time)) {
    case (.number(let l, let li), .number(let r, let ri)):
      let xl = Statistic.time.exponent(ofSlope: l)
      let xr = Statistic.time.exponent(ofSlope: r)
      let words: String
      if let li, let ri {
        let (ll, lu) = Statistic.time.exponent(of: li)
        let (rl, ru) = Statistic.time.exponent(of: ri)
        if rl > lu {
          words = "feature learning speeds up training"
        } else if ru < ll {
          words = "feature learning slows training down"
        } else {
          words = "no clear difference in training speed (intervals overlap)"
        }
      } else {
        words =
          xr > xl
          ? "rich decays faster (no intervals to judge by)"
          : "rich decays no faster (no intervals to judge by)"
      }
      lines.append(
        prefix
          + "\(words): time exponent \(f(xr))\(ri.map { " " + interval(.time, $0) } ?? "") rich vs \(f(xl))\(li.map { " " + interval(.time, $0) } ?? "") lazy\(theoryText)\(widest)"
      )
    case (let l, let r):
      var reasons: [String] = []
      if case .rejected(let why) = l { reasons.append("lazy: \(why)") }
      if case .rejected(let why) = r { reasons.append("rich: \(why)") }
      if case .absent = l { reasons.append("lazy: no L(t) fit") }
      if case .absent = r { reasons.append("rich: no L(t) fit") }
      lines.append(
        prefix
          + "training speed not compared\(theoryText.isEmpty ? "" : theoryText.replacingOccurrences(of: "(theory", with: "(theory rich vs lazy")): time exponent \(reasons.joined(separator: "; "))"
      )
    }
    // Final losses at the widths both regimes share.
    let pairs = lazy.finalLosses.compactMap { l in
      rich.finalLosses.first { $0.width == l.width && $0.steps == l.steps }.map { (l, $0) }
    }
    if let (l, r) = pairs.last {
      let lower = pairs.filter { $0.1.mean < $0.0.mean }.count
      let words: String
      if lower == pairs.count {
        words =
          "rich ends lower at \(pairs.count == 1 ? "the" : "all \(pairs.count)") width\(pairs.count == 1 ? "" : "s")"
      } else if lower == 0 {
        words = "rich ends higher at every width"
      } else {
        let names = pairs.filter { $0.1.mean < $0.0.mean }.map { g($0.0.width) }
        words =
          "rich ends lower at N = \(names.joined(separator: ", ")) only (\(lower) of \(pairs.count))"
      }
      var line =
        "  \(several ? "  " : "")final loss: \(words) (N = \(g(l.width)): \(f(r.mean)) rich vs \(f(l.mean)) lazy at t = \(g(l.steps)))"
      let faster: Bool? = {
        if case .number(let a, _) = lazy.reported(.time),
          case .number(let b, _) = rich.reported(.time)
        {
          return Statistic.time.exponent(ofSlope: b) > Statistic.time.exponent(ofSlope: a)
        }
        return nil
      }()
      if faster == true && lower < pairs.count {
        line += "; the faster decay has not made up for a higher start within the budget"
      }
      lines.append(line)
    }
    return lines
  }

  /// Compute-optimal exponents of every approach and regime, with theory;
  /// `-` entries are explained below the table.
  static func computeOptimalTable(_ slices: [SliceReport]) -> [String] {
    var lines = [
      "  " + pad("compute-optimal", 28) + pad("L* ~ C^-x", 25) + pad("N* ~ C^x", 25) + "t* ~ C^x"
    ]
    var notes: [String: [String]] = [:]
    var noteOrder: [String] = []
    for s in slices {
      for approach in ComputeApproach.allCases {
        var row =
          "  " + pad(approach == .envelope ? regimeLabel(s) : "", 16) + pad(approach.rawValue, 12)
        for quantity in ComputeQuantity.allCases {
          let statistic = Statistic.compute(approach, quantity)
          switch s.reported(statistic) {
          case .number(let value, let ci):
            row += pad(
              f(statistic.exponent(ofSlope: value))
                + (ci.map { " " + interval(statistic, $0) } ?? ""),
              25)
          case .rejected(let why):
            row += pad("-", 25)
            let reason = why.description
            if notes[reason] == nil { noteOrder.append(reason) }
            notes[reason, default: []].append(
              "\(s.regime.rawValue) \(approach.rawValue) \(quantity.symbol)")
          case .absent:
            row += pad("-", 25)
          }
        }
        lines.append(row.trimmingTrailing())
      }
      if let t = s.theory {
        let o = t.computeOptimal(computeWidthPower: s.computeWidthPower)
        lines.append(
          "  " + pad("", 16) + pad("theory", 12) + pad(f(o.loss), 25) + pad(f(o.width), 25)
            + f(o.time))
      }
    }
    for reason in noteOrder {
      lines.append("    - \(notes[reason]!.joined(separator: ", ")): \(reason)")
    }
    return lines
  }

  /// Seed-averaged final test loss of each width and regime.
  static func finalLossTable(_ slices: [SliceReport]) -> [String] {
    let widths = Array(Set(slices.flatMap { $0.finalLosses.map(\.width) })).sorted()
    guard !widths.isEmpty else { return [] }
    let steps = Set(slices.flatMap { $0.finalLosses.map(\.steps) })
    let at = steps.count == 1 ? " at t = \(g(steps.first!))" : ""
    var lines = [
      "  " + pad("final test loss\(at)", 28) + widths.map { pad("N = \(g($0))", 11) }.joined()
    ]
    for s in slices {
      lines.append(
        ("  " + pad(regimeLabel(s), 28)
          + widths.map { w in
            pad(s.finalLosses.first { $0.width == w }.map { f($0.mean) } ?? "-", 11)
          }.joined()).trimmingTrailing())
    }
    return lines
  }

  /// The full table: every statistic of every slice.
  public static func table(_ report: FrontierReport) -> String {
    var out: [String] = ["Details (every statistic; - = breaks a rule, reason given)"]
    for s in report.slices {
      out.append("")
      out.append(
        "== \(s.key)  [\(s.regime.rawValue)\(s.theory.map { ", \($0.taskClass.rawValue) task" } ?? "")]"
      )
      out.append(
        "   widths \(s.widths.map { g($0) }.joined(separator: " ")), seeds \(s.seeds.count), curves \(s.curveCount), C ∝ N^\(f(s.computeWidthPower)) t"
      )
      out.append(
        "   " + pad("statistic", 22) + pad("estimate", 11) + pad("interval", 24) + pad("theory", 9)
          + "R^2 / window")
      for statistic in s.estimates.keys.sorted() {
        let fit = s.fit(for: statistic)
        let window =
          fit.map {
            String(format: "%.3f", $0.rSquared)
              + " [\(g($0.windowLower)), \(g($0.windowUpper))] \($0.pointCount) pts"
          }
          ?? ""
        let theory = s.comparisons.first { $0.statistic == statistic }
        let mark =
          theory.map {
            f(statistic.exponent(ofSlope: $0.predicted)) + ($0.consistent == true ? "*" : "")
          } ?? ""
        switch s.reported(statistic) {
        case .number(let value, let ci):
          out.append(
            "   " + pad(label(statistic, s), 22) + pad(f(statistic.exponent(ofSlope: value)), 11)
              + pad(ci.map { interval(statistic, $0) } ?? "-", 24) + pad(mark, 9) + window)
        case .rejected(let why):
          out.append(
            "   " + pad(label(statistic, s), 22) + pad("-", 11) + pad("(\(why))", 33) + window)
        case .absent:
          break
        }
      }
      if let t = s.theory {
        out.append(
          "   theory: "
            + t.summary(computeWidthPower: s.computeWidthPower).replacingOccurrences(
              of: "\n", with: "\n   "))
        out.append("   (* = prediction inside the interval; L(t) rows compare with the widest net)")
      }
      for w in s.warnings { out.append("   warning: \(w)") }
    }
    return out.joined(separator: "\n") + "\n"
  }

  static func label(_ statistic: Statistic, _ s: SliceReport) -> String {
    switch statistic {
    case .timeAtWidth(let n): return "L~t^-x  N=\(g(n))"
    case .time: return "L~t^-x  widest"
    case .width: return "L~N^-x  t=\(g(s.widthFitTime ?? .nan))"
    case .widthFloor: return "L_inf~N^-x (floor)"
    case .data: return "L~P^-x"
    case .compute(let a, let q):
      let short = ["envelope": "env", "isoflop": "iso", "parametric": "param"][a.rawValue]!
      return pad(short, 6) + (q == .loss && a == .parametric ? "L*-E~C^-x" : q.symbol)
    case .surface(let p): return "param \(p.rawValue)"
    }
  }

  /// `[lower, upper]` of the paper's exponent.
  static func interval(_ statistic: Statistic, _ ci: ConfidenceInterval) -> String {
    let (lo, hi) = statistic.exponent(of: ci)
    return "[\(f(lo)), \(f(hi))]"
  }

  /// Text summary of an external (table) fit.
  public static func render(_ report: ExternalFitReport) -> String {
    var out = [
      "Parametric fit L = E + A N^-a + B D^-b on \(report.pointCount) runs (\(report.fit.startsRun) starts); exponents positive: N* ~ C^x, D* ~ C^x, L* - E ~ C^-x"
    ]
    for statistic in ExternalFrontier.reported {
      let name: String
      switch statistic {
      case .compute(_, .width): name = "N* ~ C^x"
      case .compute(_, .time): name = "D* ~ C^x"
      case .compute(_, .loss): name = "L*-E ~ C^-x"
      default: name = statistic.name.replacingOccurrences(of: "parametric.", with: "")
      }
      if let why = report.rejections[statistic] {
        out.append("  " + pad(name, 16) + "-  (\(why))")
        continue
      }
      guard let value = report.estimates[statistic] else { continue }
      let ci =
        report.intervals[statistic].map {
          " \(interval(statistic, $0))  SE \(f($0.standardError))"
        } ?? ""
      out.append("  " + pad(name, 16) + f(statistic.exponent(ofSlope: value)) + ci)
    }
    out += report.warnings.map { "  warning: \($0)" }
    return out.joined(separator: "\n") + "\n"
  }

  static func f(_ x: Double) -> String { x.isFinite ? String(format: "%.4g", x) : "-" }
  /// Short numbers: integers as integers (steps, widths), else 3 digits.
  static func g(_ x: Double) -> String {
    guard x.isFinite else { return "-" }
    if x == x.rounded() && abs(x) < 1e7 { return String(Int(x)) }
    return String(format: "%.3g", x)
  }
  static func pad(_ s: String, _ n: Int) -> String {
    s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count)
  }
}

extension ComputeQuantity {
  /// `L*~C^-x`, `N*~C^x`, `t*~C^x`.
  var symbol: String {
    switch self {
    case .loss: return "L*~C^-x"
    case .width: return "N*~C^x"
    case .time: return "t*~C^x"
    }
  }
}

extension String {
  func trimmingTrailing() -> String {
    var s = self
    while s.last == " " { s.removeLast() }
    return s
  }
}
