import Foundation

/// A power law `y = prefactor * x^exponent` fitted by ordinary least squares
/// on `log y = log prefactor + exponent * log x`.
///
/// The exponent is the signed log-log slope: a decaying loss `L ~ t^-chi`
/// has `exponent = -chi`; a growing allocation `N* ~ C^0.4` has `+0.4`.
public struct PowerLawFit: Sendable, Codable, Equatable {
  public var exponent: Double
  public var prefactor: Double
  /// Smallest and largest `x` used by the fit.
  public var windowLower: Double
  public var windowUpper: Double
  /// Coefficient of determination of the log-log regression.
  public var rSquared: Double
  public var pointCount: Int
  /// `max log y - min log y` over the fitted points (0: constant input,
  /// where the slope and `R^2` mean nothing).
  public var logYRange: Double

  public init(
    exponent: Double, prefactor: Double, windowLower: Double, windowUpper: Double,
    rSquared: Double, pointCount: Int, logYRange: Double = .infinity
  ) {
    self.logYRange = logYRange
    self.exponent = exponent
    self.prefactor = prefactor
    self.windowLower = windowLower
    self.windowUpper = windowUpper
    self.rSquared = rSquared
    self.pointCount = pointCount
  }

  /// Value of the fitted law at `x`.
  public func callAsFunction(_ x: Double) -> Double { prefactor * Foundation.pow(x, exponent) }

  /// Fits all points with positive, finite `x` and `y` (others are skipped).
  /// - Throws: `FrontierError.tooFewPoints` with fewer than 2 usable points
  ///   or no spread in `x`.
  public static func fit(x: [Double], y: [Double], context: String = "power law") throws
    -> PowerLawFit
  {
    guard x.count == y.count else {
      throw FrontierError.lengthMismatch(context: context, first: x.count, second: y.count)
    }
    var lx: [Double] = []
    var ly: [Double] = []
    for i in x.indices where x[i] > 0 && y[i] > 0 && x[i].isFinite && y[i].isFinite {
      lx.append(Foundation.log(x[i]))
      ly.append(Foundation.log(y[i]))
    }
    guard lx.count >= 2, let lo = lx.min(), let hi = lx.max(), hi > lo else {
      throw FrontierError.tooFewPoints(context: context, needed: 2, got: lx.count)
    }
    return LogLinearRegression(logX: lx, logY: ly).powerLaw
  }

  /// Fits the best contiguous window of `(x, y)` (sorted by `x`) according
  /// to `policy`: see `FitWindowPolicy`. With a finite positive `floor`
  /// (the curve's known `L_inf`), records with `floor > policy.floorFraction * y`
  /// are dropped and the latest qualifying window is chosen.
  public static func fitBestWindow(
    x: [Double], y: [Double], policy: FitWindowPolicy, floor: Double? = nil,
    context: String = "power law"
  ) throws -> PowerLawFit {
    guard x.count == y.count else {
      throw FrontierError.lengthMismatch(context: context, first: x.count, second: y.count)
    }
    var pairs: [(Double, Double)] = []
    for i in x.indices where x[i] > 0 && y[i] > 0 && x[i].isFinite && y[i].isFinite {
      pairs.append((x[i], y[i]))
    }
    pairs.sort { $0.0 < $1.0 }
    if let range = policy.fixedRange {
      let inside = pairs.filter { range.contains($0.0) }
      guard inside.count >= 3 else {
        throw FrontierError.tooFewPoints(context: context, needed: 3, got: inside.count)
      }
      return LogLinearRegression(
        logX: inside.map { Foundation.log($0.0) }, logY: inside.map { Foundation.log($0.1) }
      ).powerLaw
    }
    guard pairs.count >= 2 else {
      throw FrontierError.tooFewPoints(context: context, needed: 2, got: pairs.count)
    }
    // Skip the initial transient: records before the loss first drops by
    // `transientDrop` (relative) below its first recorded value.
    var start = 0
    if policy.transientDrop > 0 {
      let threshold = pairs[0].1 * (1 - policy.transientDrop)
      start = pairs.firstIndex { $0.1 <= threshold } ?? 0
    }
    var end = pairs.count
    let knownFloor = floor.flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
    if let knownFloor {
      // The records before the loss first comes within 1/floorFraction of the floor.
      end = pairs[start...].firstIndex { knownFloor > policy.floorFraction * $0.1 } ?? pairs.count
      guard end - start >= 2 else {
        throw FrontierError.tooFewPoints(context: context, needed: 2, got: max(0, end - start))
      }
    }
    let lx = pairs[start..<end].map { Foundation.log($0.0) }
    let ly = pairs[start..<end].map { Foundation.log($0.1) }
    return try FitWindowSelector(logX: lx, logY: ly, policy: policy, latest: knownFloor != nil)
      .bestFit(context: context)
  }
}

/// Closed-form simple linear regression of `log y` on `log x`.
struct LogLinearRegression {
  var slope: Double
  var intercept: Double
  var rSquared: Double
  var lowerX: Double
  var upperX: Double
  var count: Int
  var logYRange: Double

  init(logX: ArraySlice<Double>, logY: ArraySlice<Double>) {
    let n = Double(logX.count)
    var sx = 0.0
    var sy = 0.0
    for (x, y) in zip(logX, logY) {
      sx += x
      sy += y
    }
    let mx = sx / n
    let my = sy / n
    var sxx = 0.0
    var sxy = 0.0
    var syy = 0.0
    for (x, y) in zip(logX, logY) {
      sxx += (x - mx) * (x - mx)
      sxy += (x - mx) * (y - my)
      syy += (y - my) * (y - my)
    }
    slope = sxx > 0 ? sxy / sxx : .nan
    intercept = my - slope * mx
    rSquared = syy > 0 ? (sxy * sxy) / (sxx * syy) : 1
    lowerX = logX.min() ?? .nan
    upperX = logX.max() ?? .nan
    count = logX.count
    logYRange = (logY.max() ?? 0) - (logY.min() ?? 0)
  }

  init(logX: [Double], logY: [Double]) { self.init(logX: logX[...], logY: logY[...]) }

  var powerLaw: PowerLawFit {
    PowerLawFit(
      exponent: slope, prefactor: Foundation.exp(intercept), windowLower: Foundation.exp(lowerX),
      windowUpper: Foundation.exp(upperX), rSquared: rSquared, pointCount: count,
      logYRange: logYRange)
  }
}
