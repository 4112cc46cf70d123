import Foundation

/// JSON output of a `FrontierReport` (schema in docs/frontier.md). Every
/// measured quantity is an object `{"value", "lower", "upper",
/// "standardError"}` (interval fields null without bootstrap); non-finite
/// numbers become null.
public enum FrontierJSON {
  public static func render(_ report: FrontierReport) -> String {
    let root: [String: Any] = [
      "computeMeasure": report.computeMeasure.rawValue,
      "bootstrapReplicates": report.bootstrapReplicates,
      "confidenceLevel": report.confidenceLevel,
      "warnings": report.warnings,
      "dataFits": report.dataFits.map { fit -> [String: Any] in
        [
          "gamma": fit.gamma, "task": fit.task, "width": fit.width, "time": number(fit.time),
          "fit": powerLaw(fit.fit, fit.interval),
          "predicted": fit.predicted.map(number) ?? NSNull(),
        ]
      },
      "slices": report.slices.map(slice),
    ]
    return serialize(root)
  }

  /// JSON of an external (table) fit: `{"points", "parametric": {...}, "warnings"}`.
  public static func render(_ report: ExternalFitReport) -> String {
    var parametric: [String: Any] = ["objective": number(report.surface.objective)]
    for key in ["E", "A", "a", "B", "b", "sizeAllocation", "dataAllocation", "lossDecay"] {
      parametric[key] = quantity(report.estimates[key], report.intervals[key])
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
      var o = powerLaw(fit.fit, s.intervals["time@N=\(String(format: "%g", fit.width))"])
      o["width"] = fit.width
      return o
    }
    if let w = s.widthFit {
      var o = powerLaw(w, s.intervals["width"])
      o["time"] = number(s.widthFitTime ?? .nan)
      object["widthFit"] = o
    } else {
      object["widthFit"] = NSNull()
    }
    if let f = s.floorWidthFit {
      object["widthFloorFit"] = powerLaw(f, s.intervals["widthFloor"])
    } else {
      object["widthFloorFit"] = NSNull()
    }
    if let e = s.envelope {
      object["envelope"] = [
        "loss": powerLaw(e.loss, s.intervals["envelope.loss"]),
        "width": powerLaw(e.width, s.intervals["envelope.width"]),
        "time": powerLaw(e.time, s.intervals["envelope.time"]),
        "points": e.points.map {
          ["compute": $0.compute, "loss": $0.loss, "width": $0.width, "steps": $0.steps]
        },
      ]
    } else {
      object["envelope"] = NSNull()
    }
    if let i = s.isoFLOP {
      object["isoflop"] = [
        "loss": powerLaw(i.loss, s.intervals["isoflop.loss"]),
        "width": powerLaw(i.width, s.intervals["isoflop.width"]),
        "time": powerLaw(i.time, s.intervals["isoflop.time"]),
        "profiles": i.profiles.map {
          [
            "compute": $0.compute, "optimalWidth": $0.optimalWidth, "optimalSteps": $0.optimalSteps,
            "optimalLoss": $0.optimalLoss, "curvature": $0.curvature, "widths": $0.widthCount,
          ] as [String: Any]
        },
      ]
    } else {
      object["isoflop"] = NSNull()
    }
    if let p = s.parametric {
      var o: [String: Any] = ["objective": number(p.objective)]
      for key in ["E", "A", "a", "B", "b"] {
        o[key] = quantity(s.estimates["parametric.\(key)"], s.intervals["parametric.\(key)"])
      }
      o["lossExponent"] = quantity(s.estimates["parametric.loss"], s.intervals["parametric.loss"])
      o["widthExponent"] = quantity(
        s.estimates["parametric.width"], s.intervals["parametric.width"])
      o["timeExponent"] = quantity(s.estimates["parametric.time"], s.intervals["parametric.time"])
      object["parametric"] = o
    } else {
      object["parametric"] = NSNull()
    }
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
    object["comparisons"] = s.comparisons.map { c -> [String: Any] in
      [
        "quantity": c.quantity, "statistic": c.statistic, "predicted": number(c.predicted),
        "measured": number(c.measured), "lower": c.interval.map { number($0.lower) } ?? NSNull(),
        "upper": c.interval.map { number($0.upper) } ?? NSNull(),
        "consistent": c.consistent.map { $0 as Any } ?? NSNull(),
      ]
    }
    return object
  }

  static func powerLaw(_ fit: PowerLawFit, _ interval: ConfidenceInterval?) -> [String: Any] {
    [
      "exponent": quantity(fit.exponent, interval), "prefactor": number(fit.prefactor),
      "window": [number(fit.windowLower), number(fit.windowUpper)],
      "rSquared": number(fit.rSquared),
      "points": fit.pointCount,
    ]
  }

  static func quantity(_ value: Double?, _ interval: ConfidenceInterval?) -> [String: Any] {
    [
      "value": value.map(number) ?? NSNull(),
      "lower": interval.map { number($0.lower) } ?? NSNull(),
      "upper": interval.map { number($0.upper) } ?? NSNull(),
      "standardError": interval.map { number($0.standardError) } ?? NSNull(),
    ]
  }

  static func number(_ x: Double) -> Any { x.isFinite ? x : NSNull() }

  static func serialize(_ object: Any) -> String {
    guard
      let data = try? JSONSerialization.data(
        withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    else { return "{}" }
    return String(decoding: data, as: UTF8.self)
  }
}
