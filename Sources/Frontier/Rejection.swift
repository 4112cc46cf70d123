import Foundation

/// Why a statistic is reported as `-` instead of a number: it breaks one of
/// the documented rules (docs/frontier.md, "When a number is not shown").
public enum Rejection: Sendable, Codable, Equatable, CustomStringConvertible {
  /// The fit used fewer points than `needed`.
  case tooFewPoints(got: Int, needed: Int)
  /// The fit's `x` spans less than `needed` decades.
  case shortRange(decades: Double, needed: Double)
  /// `R^2` of the log-log fit is below `needed`.
  case poorFit(rSquared: Double, needed: Double)
  /// Every `y` of the fit is the same: there is no slope to measure.
  case constantInput
  /// The value is below `1e-12` in magnitude: nothing was resolved.
  case negligible
  /// The estimate sits on an end of its bootstrap interval.
  case onIntervalEdge
  /// Every bootstrap replicate gives the same value (no spread to report).
  case flatInterval
  /// The interval of a positive scale parameter spans more than 3 decades.
  case wideInterval(decades: Double)
  /// The compute envelope's optimal width takes fewer than 3 values over the
  /// fitted compute range, so `N*(C)` and `t*(C)` are steps, not power laws.
  case fewOptimalWidths([Double])
  /// A parameter of the surface ran to the edge of its domain.
  case surfaceAtBound(String)
  /// Derived from a rejected statistic.
  case dependsOn(Statistic)

  public var description: String {
    switch self {
    case .tooFewPoints(let got, let needed): return "\(got) points < \(needed)"
    case .shortRange(let decades, let needed):
      return String(format: "spans %.3g decades < %g", decades, needed)
    case .poorFit(let r2, let needed): return String(format: "R^2 %.3f < %g", r2, needed)
    case .constantInput: return "constant input"
    case .negligible: return "below 1e-12 (nothing resolved)"
    case .onIntervalEdge: return "estimate on its interval's edge"
    case .flatInterval: return "every resample gives the same value"
    case .wideInterval(let decades): return String(format: "interval spans %.0f decades", decades)
    case .fewOptimalWidths(let widths):
      let names = widths.map { Statistic.number($0) }.joined(separator: ", ")
      return widths.count == 1
        ? "N=\(names) is optimal at every compute" : "only N=\(names) are ever optimal"
    case .surfaceAtBound(let what): return what
    case .dependsOn(let statistic): return "\(statistic.name) is not shown"
    }
  }
}

/// The rules a statistic must pass to be printed as a number. Defaults are
/// those of docs/frontier.md: a power-law fit uses at least 5 points over
/// at least a decade with `R^2 >= 0.98`.
public struct ReportingRules: Sendable, Codable, Equatable {
  public var minimumPoints: Int = 5
  public var minimumDecades: Double = 1
  public var minimumRSquared: Double = 0.98
  /// `E` below this fraction of the smallest fitted loss counts as `E -> 0`.
  public var negligibleFloorFraction: Double = 1e-3
  /// Surface exponents outside this range ran to a bound.
  public var surfaceExponentRange: ClosedRange<Double> = 1e-3...20
  /// Largest span, in decades, of a scale parameter's interval.
  public var maximumIntervalDecades: Double = 3
  /// Whether `L(t)` was fitted over a window the user fixed
  /// (`--time-range`): then the `R^2` rule, which guards the automatic
  /// window search, does not apply to the time fits (points and decade do).
  public var fixedTimeWindow = false
  public init() {}

  /// The rule a power-law fit breaks first, if any.
  public func check(_ fit: PowerLawFit, fixedWindow: Bool = false) -> Rejection? {
    if fit.logYRange < 1e-12 { return .constantInput }
    if fit.pointCount < minimumPoints {
      return .tooFewPoints(got: fit.pointCount, needed: minimumPoints)
    }
    let decades = Foundation.log10(fit.windowUpper / fit.windowLower)
    if !(decades >= minimumDecades) {
      return .shortRange(decades: decades, needed: minimumDecades)
    }
    if !fixedWindow && !(fit.rSquared >= minimumRSquared) {
      return .poorFit(rSquared: fit.rSquared, needed: minimumRSquared)
    }
    return nil
  }

  /// The rule a value and its interval break, if any.
  public func check(value: Double, interval: ConfidenceInterval?) -> Rejection? {
    if !value.isFinite || abs(value) > 1e12 { return .surfaceAtBound("not finite") }
    if abs(value) < 1e-12 { return .negligible }
    guard let interval else { return nil }
    let spread = interval.upper - interval.lower
    if !(spread > 1e-12 * max(1, abs(value))) { return .flatInterval }
    if value <= interval.lower || value >= interval.upper { return .onIntervalEdge }
    return nil
  }

  /// Rules of the surface `L = E + A N^-a + B t^-b` fitted to losses no
  /// smaller than `smallestLoss`.
  public func check(
    _ parameter: SurfaceParameter, of surface: ParametricSurface, smallestLoss: Double,
    interval: ConfidenceInterval?
  ) -> Rejection? {
    let exponents = surfaceExponentRange
    switch parameter {
    case .E:
      if surface.E < negligibleFloorFraction * smallestLoss {
        return .surfaceAtBound("E -> 0: no loss floor resolved")
      }
    case .a, .A:
      if !exponents.contains(surface.a) {
        return .surfaceAtBound(String(format: "a = %.3g at its bound", surface.a))
      }
    case .b, .B:
      if !exponents.contains(surface.b) {
        return .surfaceAtBound(String(format: "b = %.3g at its bound", surface.b))
      }
    }
    if [.E, .A, .B].contains(parameter), let interval {
      guard interval.lower > 0 else { return .wideInterval(decades: .infinity) }
      let decades = Foundation.log10(interval.upper / interval.lower)
      if decades > maximumIntervalDecades { return .wideInterval(decades: decades) }
    }
    return nil
  }
}
