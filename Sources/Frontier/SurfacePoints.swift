import Foundation

/// Observations `(x1, x2, L)` for the parametric surface
/// `L = E + A x1^-a + B x2^-b`, stored as logarithms: `x1` is the model size
/// `N`, `x2` the training length (steps `t`, or tokens `D` for external data).
public struct SurfacePoints: Sendable, Equatable {
  public var logSize: [Double]
  public var logLength: [Double]
  public var logLoss: [Double]
  /// Resampling cluster of each point (a bootstrap draws clusters).
  public var cluster: [Int]

  public var count: Int { logLoss.count }
  public var clusterCount: Int { (cluster.max() ?? -1) + 1 }

  public init(logSize: [Double], logLength: [Double], logLoss: [Double], cluster: [Int]) {
    self.logSize = logSize
    self.logLength = logLength
    self.logLoss = logLoss
    self.cluster = cluster
  }

  /// Points from raw values; non-positive or non-finite entries are skipped
  /// and described in `warnings`. Each point is its own cluster unless given.
  public init(
    size: [Double], length: [Double], loss: [Double], cluster: [Int]? = nil,
    warnings: inout [String]
  ) {
    logSize = []
    logLength = []
    logLoss = []
    self.cluster = []
    var skipped = 0
    for i in loss.indices {
      let values = [size[i], length[i], loss[i]]
      guard values.allSatisfy({ $0.isFinite && $0 > 0 }) else {
        skipped += 1
        continue
      }
      logSize.append(Foundation.log(size[i]))
      logLength.append(Foundation.log(length[i]))
      logLoss.append(Foundation.log(loss[i]))
      self.cluster.append(cluster?[i] ?? i)
    }
    if skipped > 0 {
      warnings.append("skipped \(skipped) points with non-finite or non-positive values")
    }
    // Renumber clusters densely.
    var map: [Int: Int] = [:]
    for i in self.cluster.indices {
      let c = self.cluster[i]
      if let dense = map[c] {
        self.cluster[i] = dense
      } else {
        map[c] = map.count
        self.cluster[i] = map[c]!
      }
    }
  }
}
