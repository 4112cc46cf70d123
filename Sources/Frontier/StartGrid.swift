import Foundation

/// The grid of initial points for the approach-3 fit; every combination is a
/// start, in the parameter order `(logA, a, logB, b, logE)`.
public struct StartGrid: Sendable, Codable, Equatable {
  public var sizeExponents: [Double]
  public var lengthExponents: [Double]
  public var logE: [Double]
  public var logA: [Double]
  public var logB: [Double]

  public init(
    sizeExponents: [Double], lengthExponents: [Double], logE: [Double], logA: [Double],
    logB: [Double]
  ) {
    self.sizeExponents = sizeExponents
    self.lengthExponents = lengthExponents
    self.logE = logE
    self.logA = logA
    self.logB = logB
  }

  /// Chinchilla / Epoch AI grid: `a, b in {0, 0.5, 1, 1.5, 2}`,
  /// `logE in {-1, -0.5, 0, 0.5, 1}`, `logA, logB in {0, 5, ..., 25}`: 4500 starts.
  public static let chinchillaEpoch = StartGrid(
    sizeExponents: [0, 0.5, 1, 1.5, 2], lengthExponents: [0, 0.5, 1, 1.5, 2],
    logE: [-1, -0.5, 0, 0.5, 1], logA: [0, 5, 10, 15, 20, 25], logB: [0, 5, 10, 15, 20, 25])

  public var count: Int {
    sizeExponents.count * lengthExponents.count * logE.count * logA.count * logB.count
  }

  /// All starts as `[logA, a, logB, b, logE]`.
  public var starts: [[Double]] {
    var result: [[Double]] = []
    result.reserveCapacity(count)
    for a in sizeExponents {
      for b in lengthExponents {
        for e in logE {
          for la in logA {
            for lb in logB { result.append([la, a, lb, b, e]) }
          }
        }
      }
    }
    return result
  }
}
