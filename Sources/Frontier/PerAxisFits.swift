import Foundation

/// `L(t) ~ t^exponent` for one width, fitted on the seed-averaged curve in
/// an automatically chosen window (see `FitWindowPolicy`).
public struct WidthTimeFit: Sendable, Codable, Equatable {
  public var width: Double
  public var fit: PowerLawFit
}

/// `L(P) ~ P^exponent` across the data sizes of one `(gamma, task)` group,
/// at the largest width present for every `P` and the longest time all reached.
public struct DataAxisFit: Sendable, Codable, Equatable {
  public var gamma: Double
  public var task: String
  public var width: Double
  public var time: Double
  public var fit: PowerLawFit
  /// Bootstrap interval of `fit.exponent` (each slice resampled as in its own replicate).
  public var interval: ConfidenceInterval?
  /// Predicted slope `-min(alpha beta, 2 alpha)` when the task's exponents are known.
  public var predicted: Double?

  /// Identifier used in `BootstrapReplicate.slice` (statistic `data`).
  public var id: String { "data-axis gamma=\(gamma) task=\(task)" }
  /// Why the exponent is not shown, if it breaks a reporting rule.
  public var rejection: Rejection? = nil
}

enum PerAxisFits {
  /// Time fits of every width, and why the others have none.
  static func timeFits(_ curves: [WidthCurve], policy: FitWindowPolicy) -> (
    [WidthTimeFit], [Double: String]
  ) {
    var fits: [WidthTimeFit] = []
    var failures: [Double: String] = [:]
    for curve in curves {
      do {
        let fit = try PowerLawFit.fitBestWindow(
          x: curve.steps, y: curve.loss, policy: policy, floor: curve.lossFloor,
          context: "records")
        fits.append(WidthTimeFit(width: curve.width, fit: fit))
      } catch {
        failures[curve.width] = "\(error)"
      }
    }
    return (fits, failures)
  }

  /// Longest step reached by every curve.
  static func commonTime(_ curves: [WidthCurve]) -> Double? {
    curves.compactMap(\.steps.last).min()
  }

  /// `L(N)` at the longest common time, across widths.
  static func widthFit(_ curves: [WidthCurve], policy: FitWindowPolicy) -> (PowerLawFit, Double)? {
    guard curves.count >= 2, let time = commonTime(curves) else { return nil }
    var widths: [Double] = []
    var losses: [Double] = []
    for curve in curves {
      if let logLoss = curve.logLoss(atStep: time) {
        widths.append(curve.width)
        losses.append(Foundation.exp(logLoss))
      }
    }
    var noTransient = policy
    noTransient.transientDrop = 0
    guard let fit = try? PowerLawFit.fitBestWindow(x: widths, y: losses, policy: noTransient) else {
      return nil
    }
    return (fit, time)
  }

  /// The width bottleneck `L_inf(N) ~ N^x` from the curves' known floors
  /// (all widths that have one; nil with fewer than two).
  static func floorWidthFit(_ curves: [WidthCurve]) -> PowerLawFit? {
    let known = curves.filter { $0.lossFloor != nil }
    guard known.count >= 2 else { return nil }
    return try? PowerLawFit.fit(
      x: known.map(\.width), y: known.map { $0.lossFloor! }, context: "L_inf vs N")
  }

  /// `L(P)` for each `(gamma, task)` with at least two finite data sizes.
  static func dataFits(_ slices: [(CurveSlice, [WidthCurve])], lazyGamma: Double) -> [DataAxisFit] {
    var groups: [String: [(CurveSlice, [WidthCurve])]] = [:]
    for entry in slices where entry.0.key.data != nil {
      groups["\(entry.0.key.gamma)|\(entry.0.key.task)", default: []].append(entry)
    }
    return groups.keys.sorted().compactMap { name in
      let members = groups[name]!
      guard members.count >= 2 else { return nil }
      let common = members.map { Set($0.1.map(\.width)) }.reduce(
        into: members[0].1.map(\.width).reduce(into: Set<Double>()) { $0.insert($1) }
      ) { $0.formIntersection($1) }
      guard let width = common.max() else { return nil }
      let curves = members.compactMap { entry in
        entry.1.first { $0.width == width }.map { (entry.0.key.data!, $0) }
      }
      guard let time = curves.compactMap({ $0.1.steps.last }).min() else { return nil }
      let points = curves.compactMap { (p, curve) in
        curve.logLoss(atStep: time).map { (p, Foundation.exp($0)) }
      }
      guard
        let fit = try? PowerLawFit.fit(x: points.map(\.0), y: points.map(\.1), context: "L vs P")
      else {
        return nil
      }
      let key = members[0].0.key
      let first = members[0].0.curves.first
      var predicted: Double? = nil
      if let alpha = first?.taskAlpha, let beta = first?.taskBeta,
        let theory = try? ScalingTheory(
          alpha: alpha, beta: beta, regime: TrainingRegime(gamma: key.gamma, lazyAtMost: lazyGamma))
      {
        predicted = -theory.dataExponent
      }
      return DataAxisFit(
        gamma: key.gamma, task: key.task, width: width, time: time, fit: fit, interval: nil,
        predicted: predicted)
    }
  }
}
