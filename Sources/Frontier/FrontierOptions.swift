import Foundation

/// Options of the frontier analysis of learning curves.
public struct FrontierOptions: Sendable, Codable, Equatable {
  /// `flops` (default, `C = flopsPerStep * t`) or `nt` (`C = N t`).
  public var computeMeasure: ComputeMeasure = .flops
  /// Slices with `gamma <= lazyGamma` are compared with the lazy theory,
  /// the others with the rich one (0: only an exact `gamma = 0` is lazy).
  public var lazyGamma: Double = 0
  /// Window rule of the `L(t)` fits.
  public var timeWindow: FitWindowPolicy = .time
  /// How each width's seeds are combined into the curve every fit reads.
  public var seedAggregation: SeedAggregation = .geometricMean
  /// Window rule of the `L(N)` fit (default: all widths).
  public var widthWindow: FitWindowPolicy = .all
  /// Grid points of the compute envelope (approach 1).
  public var envelopeGridPoints: Int = 60
  /// Number of IsoFLOP budgets (approach 2).
  public var isoFLOPBudgets: Int = 8
  /// Widths an IsoFLOP budget must cover.
  public var isoFLOPMinimumWidths: Int = 3
  /// IsoFLOP parabolas use the widths within this many grid steps of each
  /// budget's lowest loss (nil: all widths reaching the budget).
  public var isoFLOPHalfWindow: Int? = 2
  /// Records before the loss has fallen by this fraction below its first
  /// value are left out of the parametric fit (the surface has no transient).
  public var parametricTransientDrop: Double = 0.1
  public var parametric = ParametricFitOptions()
  public var bootstrap = BootstrapOptions()
  public var resampling: ResamplingUnit = .seedClusters
  /// When a statistic is shown as `-` instead of a number.
  public var rules = ReportingRules()
  public init() {}
}
