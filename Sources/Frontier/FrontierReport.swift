import Foundation

/// Theory beside measurement: one predicted slope, one measured statistic.
public struct TheoryComparison: Sendable, Codable, Equatable {
  public var quantity: TheoryQuantity
  public var statistic: Statistic
  /// Predicted signed log-log slope.
  public var predicted: Double
  public var measured: Double
  public var interval: ConfidenceInterval?
  /// Whether the interval contains the prediction (nil without interval,
  /// or when the statistic is not shown).
  public var consistent: Bool?
}

/// The seed-averaged loss a width ends at: each seed's last recorded test
/// loss at the slice's longest budget, averaged arithmetically.
public struct FinalLoss: Sendable, Codable, Equatable {
  public var width: Double
  public var steps: Double
  public var mean: Double
  public var lowest: Double
  public var highest: Double
  public var seeds: Int
  /// Known loss floor `L_inf` of the width (geometric mean over seeds), if any.
  public var lossFloor: Double? = nil
}

/// What a report shows for one statistic.
public enum ReportedValue: Sendable, Equatable {
  /// A number passing every rule, with its interval when bootstrapped.
  case number(Double, ConfidenceInterval?)
  /// Computed but breaking a rule: shown as `-` with the reason.
  case rejected(Rejection)
  /// Not computed (e.g. no floor known, a single data size).
  case absent
}

/// Everything measured on one `(gamma, task, data)` slice.
public struct SliceReport: Sendable, Codable, Equatable {
  public var key: SliceKey
  public var regime: TrainingRegime
  public var taskAlpha: Double?
  public var taskBeta: Double?
  public var widths: [Double]
  public var seeds: [Int]
  public var curveCount: Int
  /// `p` in `C ∝ N^p t` (1 for `C = N t`).
  public var computeWidthPower: Double
  /// Per-axis: `L(t)` per width.
  public var timeFits: [WidthTimeFit]
  /// Per-axis: `L(N)` at `widthFitTime`.
  public var widthFit: PowerLawFit?
  public var widthFitTime: Double?
  /// Per-axis: the known width bottleneck `L_inf ~ N^x` (nil when the
  /// curves carry no `lossFloor`); statistic `widthFloor`.
  public var floorWidthFit: PowerLawFit? = nil
  /// Approach 1.
  public var envelope: ComputeEnvelope?
  /// Approach 2.
  public var isoFLOP: IsoFLOPFit?
  /// Approach 3 on `(N, t, L)`.
  public var parametric: ParametricSurface?
  /// Distinct local optima of the grid search (warm starts of the bootstrap).
  public var parametricStarts: [[Double]]
  /// Point estimates of every bootstrap statistic (see `SliceEstimates`).
  public var estimates: [Statistic: Double]
  public var intervals: [Statistic: ConfidenceInterval]
  /// Statistics that break a reporting rule, with the rule.
  public var rejections: [Statistic: Rejection] = [:]
  /// Final test loss of each width.
  public var finalLosses: [FinalLoss] = []
  /// Smallest seed-averaged loss the fits saw (scale of the surface's `E`).
  public var smallestLoss: Double = .nan
  public var theory: ScalingTheory?
  public var comparisons: [TheoryComparison]
  public var warnings: [String]

  /// Identifier used in `BootstrapReplicate.slice`: exact (shortest
  /// round-trip) numbers, so two slices never share it.
  public var id: String { key.identifier }

  /// The power-law fit behind a statistic, if it has one.
  public func fit(for statistic: Statistic) -> PowerLawFit? {
    switch statistic {
    case .timeAtWidth(let n): return timeFits.first { $0.width == n }?.fit
    case .time: return timeFits.last?.fit
    case .width: return widthFit
    case .widthFloor: return floorWidthFit
    case .compute(.envelope, let q): return envelope.map { $0.fit(q) }
    case .compute(.isoflop, let q): return isoFLOP.map { $0.fit(q) }
    case .compute(.parametric, _), .surface, .data: return nil
    }
  }

  /// What to print for `statistic`.
  public func reported(_ statistic: Statistic) -> ReportedValue {
    guard let value = estimates[statistic] else { return .absent }
    if let rejection = rejections[statistic] { return .rejected(rejection) }
    return .number(value, intervals[statistic])
  }
}

/// The result of `ComputeOptimalFrontier`.
public struct FrontierReport: Sendable, Codable, Equatable {
  public var computeMeasure: ComputeMeasure
  public var bootstrapReplicates: Int
  public var confidenceLevel: Double
  public var slices: [SliceReport]
  /// Per-axis `L(P)` fits, one per `(gamma, task)` with several data sizes.
  public var dataFits: [DataAxisFit]
  public var warnings: [String]
  public var rules = ReportingRules()
}
