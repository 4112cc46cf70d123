import Foundation

/// Theory beside measurement: one predicted slope, one measured statistic.
public struct TheoryComparison: Sendable, Codable, Equatable {
  /// Quantity: `time`, `width`, `computeLoss`, `computeWidth`, `computeTime`.
  public var quantity: String
  /// Bootstrap statistic measured (e.g. `envelope.loss`).
  public var statistic: String
  /// Predicted signed log-log slope.
  public var predicted: Double
  public var measured: Double
  public var interval: ConfidenceInterval?
  /// Whether the interval contains the prediction (nil without interval).
  public var consistent: Bool?
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
  public var estimates: [String: Double]
  public var intervals: [String: ConfidenceInterval]
  public var theory: ScalingTheory?
  public var comparisons: [TheoryComparison]
  public var warnings: [String]

  /// Identifier used in `BootstrapReplicate.slice`.
  public var id: String { key.description }
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
}
