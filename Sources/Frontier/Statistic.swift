import Foundation

/// The three ways of measuring the compute-optimal frontier.
public enum ComputeApproach: String, Sendable, Codable, CaseIterable, Comparable {
  /// Approach 1: the lower envelope of the loss-compute curves.
  case envelope
  /// Approach 2: parabolas through IsoFLOP profiles.
  case isoflop
  /// Approach 3: the surface `L = E + A N^-a + B t^-b`.
  case parametric

  public static func < (l: Self, r: Self) -> Bool {
    allCases.firstIndex(of: l)! < allCases.firstIndex(of: r)!
  }
}

/// What a compute-optimal exponent measures: `L* ~ C^-x`, `N* ~ C^x`, `t* ~ C^x`.
public enum ComputeQuantity: String, Sendable, Codable, CaseIterable, Comparable {
  case loss, width, time

  public static func < (l: Self, r: Self) -> Bool {
    allCases.firstIndex(of: l)! < allCases.firstIndex(of: r)!
  }
}

/// A parameter of the fitted surface `L = E + A N^-a + B t^-b`.
public enum SurfaceParameter: String, Sendable, Codable, CaseIterable, Comparable {
  case E, A, a, B, b

  public static func < (l: Self, r: Self) -> Bool {
    allCases.firstIndex(of: l)! < allCases.firstIndex(of: r)!
  }
}

/// Every quantity the frontier analysis measures, bootstraps and reports.
/// One typed identity shared by the fits, the bootstrap and every renderer
/// (text, JSON, CSV, SVG), so no renderer rebuilds a key from a string.
///
/// Stored values are signed log-log slopes (`L ~ t^-0.5` is stored as
/// `-0.5`), or the surface parameter itself; `exponent(ofSlope:)` turns a
/// slope into the positive exponent the paper writes.
public enum Statistic: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
  /// `L(t) ~ t^-x` of one width.
  case timeAtWidth(Double)
  /// `L(t) ~ t^-x` of the widest net (compared with theory).
  case time
  /// `L(N) ~ N^-x` at the longest common time.
  case width
  /// The known width bottleneck `L_inf(N) ~ N^-x`.
  case widthFloor
  /// `L(P) ~ P^-x` across data sizes.
  case data
  /// A compute-optimal exponent of one approach.
  case compute(ComputeApproach, ComputeQuantity)
  /// A parameter of the approach-3 surface.
  case surface(SurfaceParameter)

  /// Stable machine name (JSON, CSV): `time@N=128`, `envelope.loss`, `parametric.E`.
  public var name: String {
    switch self {
    case .timeAtWidth(let n): return "time@N=\(Self.number(n))"
    case .time: return "time"
    case .width: return "width"
    case .widthFloor: return "widthFloor"
    case .data: return "data"
    case .compute(let approach, let quantity): return "\(approach.rawValue).\(quantity.rawValue)"
    case .surface(let parameter): return "parametric.\(parameter.rawValue)"
    }
  }

  public var description: String { name }

  /// Whether the value is a log-log slope (false: a surface parameter).
  public var isSlope: Bool {
    if case .surface = self { return false }
    return true
  }

  /// The paper's positive exponent from a stored slope: decay rates
  /// (`L ~ t^-x`, `L ~ N^-x`, `L* ~ C^-x`) are `-slope`, growth rates
  /// (`N* ~ C^x`, `t* ~ C^x`) are `slope`; surface parameters unchanged.
  public func exponent(ofSlope value: Double) -> Double {
    switch self {
    case .timeAtWidth, .time, .width, .widthFloor, .data, .compute(_, .loss): return -value
    case .compute, .surface: return value
    }
  }

  /// The interval of `exponent(ofSlope:)` (bounds swap when the sign flips).
  public func exponent(of interval: ConfidenceInterval) -> (lower: Double, upper: Double) {
    let a = exponent(ofSlope: interval.lower)
    let b = exponent(ofSlope: interval.upper)
    return (min(a, b), max(a, b))
  }

  /// The theory quantity this statistic is compared with, if any.
  public var theoryQuantity: TheoryQuantity? {
    switch self {
    case .time: return .time
    case .width, .widthFloor: return .width
    case .data: return .data
    case .compute(_, .loss): return .computeLoss
    case .compute(_, .width): return .computeWidth
    case .compute(_, .time): return .computeTime
    case .timeAtWidth, .surface: return nil
    }
  }

  /// Order of rows in reports.
  var rank: (Int, Double, Int, Int) {
    switch self {
    case .timeAtWidth(let n): return (0, n, 0, 0)
    case .time: return (1, 0, 0, 0)
    case .width: return (2, 0, 0, 0)
    case .widthFloor: return (3, 0, 0, 0)
    case .data: return (4, 0, 0, 0)
    case .compute(let a, let q):
      return (
        5, 0, ComputeApproach.allCases.firstIndex(of: a)!,
        ComputeQuantity.allCases.firstIndex(of: q)!
      )
    case .surface(let p): return (6, 0, SurfaceParameter.allCases.firstIndex(of: p)!, 0)
    }
  }

  public static func < (l: Statistic, r: Statistic) -> Bool { l.rank < r.rank }

  static func number(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
  }
}

/// A quantity the theory predicts (as a signed slope, see `ScalingTheory.predictedSlope`).
public enum TheoryQuantity: String, Sendable, Codable, CaseIterable {
  case time, width, data, computeLoss, computeWidth, computeTime
}
