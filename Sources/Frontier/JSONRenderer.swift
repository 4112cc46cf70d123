import Foundation

/// JSON output of a `FrontierReport` (schema in docs/frontier.md). Every
/// measured quantity is an object `{"value", "lower", "upper",
/// "standardError", "rejected"}`: interval fields are null without
/// bootstrap; a statistic that breaks a reporting rule has `value` null and
/// `rejected` the reason; non-finite numbers become null. Fit blocks keep
/// signed log-log slopes; `statistics` lists every statistic once with the
/// paper's positive exponent.
public enum FrontierJSON {
  public static func render(_ report: FrontierReport) -> String {
    let root: [String: Any] = [
      "computeMeasure": report.computeMeasure.rawValue,
      "bootstrapReplicates": report.bootstrapReplicates,
      "confidenceLevel": report.confidenceLevel,
      "warnings": report.warnings,
      "dataFits": report.dataFits.map { fit -> [String: Any] in
        let reported: ReportedValue =
          fit.rejection.map { .rejected($0) } ?? .number(fit.fit.exponent, fit.interval)
        return [
          "gamma": fit.gamma, "task": fit.task, "width": fit.width, "time": number(fit.time),
          "fit": powerLaw(fit.fit, reported),
          "predicted": fit.predicted.map(number) ?? NSNull(),
        ]
      },
      "slices": report.slices.map(slice),
    ]
    return serialize(root)
  }

  /// JSON of an external (table) fit: `{"points", "parametric": {...}, "warnings"}`;
  /// `lossDecay` is the positive `c` of `L* - E ~ C^-c`.
  public static func render(_ report: ExternalFitReport) -> String {
    var parametric: [String: Any] = ["objective": number(report.surface.objective)]
    let names: [(String, Statistic)] = [
      ("E", .surface(.E)), ("A", .surface(.A)), ("a", .surface(.a)), ("B", .surface(.B)),
      ("b", .surface(.b)), ("sizeAllocation", .compute(.parametric, .width)),
      ("dataAllocation", .compute(.parametric, .time)), ("lossDecay", .compute(.parametric, .loss)),
    ]
    for (key, statistic) in names {
      let reported: ReportedValue =
        report.rejections[statistic].map { .rejected($0) }
        ?? report.estimates[statistic].map { .number($0, report.intervals[statistic]) } ?? .absent
      parametric[key] = quantity(reported, positive: key == "lossDecay" ? statistic : nil)
    }
    return serialize([
      "points": report.pointCount, "parametric": parametric, "warnings": report.warnings,
      "starts": report.fit.startsRun,
    ])
  }

  static func slice(_ s: SliceReport) -> [String: Any] {
    var object: [String: Any] = [
      "gamma": s.key.gamma, "task": s.key.task, "data": s.key.data.map(number) ?? NSNull(),
      "regime": s.regime.rawValue, "taskAlpha": s.taskAlpha.map(number) ?? NSNull(),
      "taskBeta": s.taskBeta.map(number) ?? NSNull(), "widths": s.widths, "seeds": s.seeds,
      "curveCount": s.curveCount, "computeWidthPower": number(s.computeWidthPower),
      "warnings": s.warnings,
    ]
    object["timeFits"] = s.timeFits.map { fit -> [String: Any] in
      var o = powerLaw(fit.fit, s.reported(.timeAtWidth(fit.width)))
      o["width"] = fit.width
      return o
    }
    if let w = s.widthFit {
      var o = powerLaw(w, s.reported(.width))
      o["time"] = number(s.widthFitTime ?? .nan)
      object["widthFit"] = o
    } else {
      object["widthFit"] = NSNull()
    }
    object["widthFloorFit"] = orNull(s.floorWidthFit.map { powerLaw($0, s.reported(.widthFloor)) })
    object["envelope"] = orNull(
      s.envelope.map { e -> [String: Any] in
        var o: [String: Any] = [
          "points": e.points.map {
            ["compute": $0.compute, "loss": $0.loss, "width": $0.width, "steps": $0.steps]
          }
        ]
        for q in ComputeQuantity.allCases {
          o[q.rawValue] = powerLaw(e.fit(q), s.reported(.compute(.envelope, q)))
        }
        return o
      })
    object["isoflop"] = orNull(
      s.isoFLOP.map { i -> [String: Any] in
        var o: [String: Any] = [
          "profiles": i.profiles.map {
            [
              "compute": $0.compute, "optimalWidth": $0.optimalWidth,
              "optimalSteps": $0.optimalSteps,
              "optimalLoss": $0.optimalLoss, "curvature": $0.curvature, "widths": $0.widthCount,
            ] as [String: Any]
          }
        ]
        for q in ComputeQuantity.allCases {
          o[q.rawValue] = powerLaw(i.fit(q), s.reported(.compute(.isoflop, q)))
        }
        return o
      })
    object["parametric"] = orNull(
      s.parametric.map { p -> [String: Any] in
        var o: [String: Any] = ["objective": number(p.objective)]
        for parameter in SurfaceParameter.allCases {
          o[parameter.rawValue] = quantity(s.reported(.surface(parameter)))
        }
        o["lossExponent"] = quantity(s.reported(.compute(.parametric, .loss)))
        o["widthExponent"] = quantity(s.reported(.compute(.parametric, .width)))
        o["timeExponent"] = quantity(s.reported(.compute(.parametric, .time)))
        return o
      })
    if let t = s.theory {
      let optimal = t.computeOptimal(computeWidthPower: s.computeWidthPower)
      object["theory"] =
        [
          "alpha": t.alpha, "beta": t.beta, "regime": t.regime.rawValue,
          "taskClass": t.taskClass.rawValue,
          "timeExponent": t.timeExponent, "widthExponent": t.widthExponent,
          "dataExponent": t.dataExponent,
          "computeOptimal": ["loss": optimal.loss, "width": optimal.width, "time": optimal.time],
        ] as [String: Any]
    } else {
      object["theory"] = NSNull()
    }
    object["comparisons"] = s.comparisons.filter { s.rejections[$0.statistic] == nil }.map {
      c -> [String: Any] in
      [
        "quantity": c.quantity.rawValue, "statistic": c.statistic.name,
        "predicted": number(c.predicted),
        "measured": number(c.measured), "lower": c.interval.map { number($0.lower) } ?? NSNull(),
        "upper": c.interval.map { number($0.upper) } ?? NSNull(),
        "consistent": c.consistent.map { $0 as Any } ?? NSNull(),
      ]
    }
    object["finalLosses"] = s.finalLosses.map {
      [
        "width": $0.width, "steps": $0.steps, "mean": number($0.mean),
        "lowest": number($0.lowest), "highest": number($0.highest), "seeds": $0.seeds,
        "lossFloor": $0.lossFloor.map(number) ?? NSNull(),
      ] as [String: Any]
    }
    // Every statistic once, as the paper writes it (positive exponents).
    object["statistics"] = s.estimates.keys.sorted().map { statistic -> [String: Any] in
      var o = quantity(s.reported(statistic), positive: statistic)
      o["name"] = statistic.name
      if let q = statistic.theoryQuantity, let t = s.theory {
        o["theory"] = number(
          statistic.exponent(
            ofSlope: t.predictedSlope(q, computeWidthPower: s.computeWidthPower)))
      }
      return o
    }
    return object
  }

  static func powerLaw(_ fit: PowerLawFit, _ reported: ReportedValue) -> [String: Any] {
    var shown = true
    if case .rejected = reported { shown = false }
    return [
      "exponent": quantity(reported),
      "prefactor": shown ? number(fit.prefactor) : NSNull(),
      "window": [number(fit.windowLower), number(fit.windowUpper)],
      // Six decimals: a constant input's R^2 of 1e-31 is 0, not a number to read.
      "rSquared": number((fit.rSquared * 1e6).rounded() / 1e6),
      "points": fit.pointCount,
    ]
  }

  /// `{"value", "lower", "upper", "standardError", "rejected"}`; with
  /// `positive`, value and bounds are that statistic's paper exponent.
  static func quantity(_ reported: ReportedValue, positive: Statistic? = nil) -> [String: Any] {
    switch reported {
    case .number(let value, let interval):
      let v = positive?.exponent(ofSlope: value) ?? value
      let bounds = interval.map { i in
        positive.map { $0.exponent(of: i) } ?? (lower: i.lower, upper: i.upper)
      }
      return [
        "value": number(v), "lower": bounds.map { number($0.lower) } ?? NSNull(),
        "upper": bounds.map { number($0.upper) } ?? NSNull(),
        "standardError": interval.map { number($0.standardError) } ?? NSNull(),
        "rejected": NSNull(),
      ]
    case .rejected(let rejection):
      return [
        "value": NSNull(), "lower": NSNull(), "upper": NSNull(), "standardError": NSNull(),
        "rejected": rejection.description,
      ]
    case .absent:
      return [
        "value": NSNull(), "lower": NSNull(), "upper": NSNull(), "standardError": NSNull(),
        "rejected": NSNull(),
      ]
    }
  }

  static func number(_ x: Double) -> Any { x.isFinite ? x : NSNull() }

  static func orNull(_ object: [String: Any]?) -> Any { object.map { $0 as Any } ?? NSNull() }

  static func serialize(_ object: Any) -> String {
    guard
      let data = try? JSONSerialization.data(
        withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    else { return "{}" }
    return String(decoding: data, as: UTF8.self)
  }
}
