import Foundation

/// Settings of the cluster bootstrap.
public struct BootstrapOptions: Sendable, Codable, Equatable {
  /// Number of replicates (0 disables the bootstrap).
  public var replicates: Int = 1000
  /// Replicate `r` draws from `SplitMix64(baseSeed: baseSeed, stream: r)`, so
  /// its result does not depend on which rank computes it.
  public var baseSeed: UInt64 = 0x5CA1_E5EE_B007_5742
  /// Two-sided level of the percentile intervals.
  public var confidenceLevel: Double = 0.95
  public init() {}
  public init(
    replicates: Int, baseSeed: UInt64 = 0x5CA1_E5EE_B007_5742, confidenceLevel: Double = 0.95
  ) {
    self.replicates = replicates
    self.baseSeed = baseSeed
    self.confidenceLevel = confidenceLevel
  }
}

/// The named statistics of one bootstrap replicate of one slice (or of an
/// external table, `slice == "external"`). Codable, so ranks can send them.
public struct BootstrapReplicate: Sendable, Codable, Equatable {
  public var slice: String
  public var index: Int
  public var statistics: [Statistic: Double]
  public init(slice: String, index: Int, statistics: [Statistic: Double]) {
    self.slice = slice
    self.index = index
    self.statistics = statistics
  }

  /// Replicates as bytes, for gathering them from the ranks that computed
  /// them. A degenerate fit in one resample can give a non-finite statistic
  /// (e.g. a parametric prefactor of `inf`); it survives the trip.
  public static func encode(_ replicates: [BootstrapReplicate]) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return Array(try encoder.encode(replicates))
  }

  /// The inverse of `encode`.
  public static func decode(_ bytes: [UInt8]) throws -> [BootstrapReplicate] {
    let decoder = JSONDecoder()
    decoder.nonConformingFloatDecodingStrategy = .convertFromString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try decoder.decode([BootstrapReplicate].self, from: Data(bytes))
  }
}

/// A percentile bootstrap interval around a point estimate.
public struct ConfidenceInterval: Sendable, Codable, Equatable {
  public var estimate: Double
  public var lower: Double
  public var upper: Double
  /// Sample standard deviation of the replicates.
  public var standardError: Double
  /// Replicates in which the statistic could be computed.
  public var replicates: Int

  public init(
    estimate: Double, lower: Double, upper: Double, standardError: Double, replicates: Int
  ) {
    self.estimate = estimate
    self.lower = lower
    self.upper = upper
    self.standardError = standardError
    self.replicates = replicates
  }

  public func contains(_ value: Double) -> Bool { value >= lower && value <= upper }
}

/// Resampling and interval arithmetic shared by every bootstrap in the module.
public enum Bootstrap {
  /// Multiplicity of each cluster in replicate `index`: `clusterCount` draws
  /// with replacement, deterministic in `(baseSeed, index)`.
  public static func clusterMultiplicities(clusterCount: Int, baseSeed: UInt64, index: Int)
    -> [Double]
  {
    var generator = SplitMix64(baseSeed: baseSeed, stream: UInt64(index))
    var counts = [Double](repeating: 0, count: clusterCount)
    for _ in 0..<clusterCount { counts[generator.nextIndex(below: clusterCount)] += 1 }
    return counts
  }

  /// Point weights from cluster multiplicities.
  public static func pointWeights(cluster: [Int], multiplicities: [Double]) -> [Double] {
    cluster.map { multiplicities[$0] }
  }

  /// Checks that `range` lies inside `0..<total`.
  public static func validate(range: Range<Int>, total: Int) throws {
    guard range.lowerBound >= 0, range.upperBound <= total else {
      throw FrontierError.invalidReplicateRange(
        lower: range.lowerBound, upper: range.upperBound, total: total)
    }
  }

  /// Percentile intervals (type-7 quantiles at `(1 -/+ level) / 2`) and
  /// standard errors of every statistic present in `estimates`; replicates
  /// may arrive in any order and from several ranks (they are sorted by
  /// index first, so the result is identical however they were split).
  public static func intervals(
    estimates: [Statistic: Double], replicates: [BootstrapReplicate], level: Double
  ) -> [Statistic: ConfidenceInterval] {
    let ordered = replicates.sorted { $0.index < $1.index }
    var result: [Statistic: ConfidenceInterval] = [:]
    for (name, estimate) in estimates {
      let values = ordered.compactMap { $0.statistics[name] }.filter(\.isFinite).sorted()
      guard values.count >= 2 else { continue }
      let mean = values.reduce(0, +) / Double(values.count)
      let variance =
        values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
      result[name] = ConfidenceInterval(
        estimate: estimate, lower: quantile(values, (1 - level) / 2),
        upper: quantile(values, (1 + level) / 2), standardError: variance.squareRoot(),
        replicates: values.count)
    }
    return result
  }

  /// Linear-interpolation quantile of sorted values.
  public static func quantile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let position = q * Double(sorted.count - 1)
    let lower = Int(position.rounded(.down))
    let upper = min(lower + 1, sorted.count - 1)
    let fraction = position - Double(lower)
    return sorted[lower] + fraction * (sorted[upper] - sorted[lower])
  }
}
