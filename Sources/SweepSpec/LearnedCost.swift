import Foundation

/// A cost model learned from finished cells when the job gives none:
/// `log seconds = c0 + c1 log width + c2 log steps`, fitted by least squares
/// over the cells seen so far.
///
/// With too few distinct widths or budgets the missing slope is fixed at 1
/// (cost proportional to that coordinate), the usual first guess; with no
/// cell seen the estimate is unknown (nil).
public struct LearnedCost: Sendable {
  private var samples: [(logWidth: Double, logSteps: Double, logSeconds: Double)] = []
  /// The fit to `samples`, refreshed by ``observe(width:steps:seconds:)``.
  private var fitted: (Double, Double, Double)?

  public init() {}

  public var count: Int { samples.count }

  /// Adds a finished cell's wall time (non-positive or non-finite times are skipped).
  public mutating func observe(width: Int, steps: Int, seconds: Double) {
    guard seconds.isFinite, seconds > 0 else { return }
    samples.append((log(Double(width)), log(Double(steps)), log(seconds)))
    fitted = coefficients()
  }

  /// Estimated seconds of a cell of `width` and `steps`; nil before any observation.
  public func seconds(width: Int, steps: Int) -> Double? {
    guard let c = fitted else { return nil }
    return exp(c.0 + c.1 * log(Double(width)) + c.2 * log(Double(steps)))
  }

  /// `(c0, c1, c2)`; a slope whose coordinate never varied is 1.
  func coefficients() -> (Double, Double, Double)? {
    guard !samples.isEmpty else { return nil }
    let widthVaries = Set(samples.map(\.logWidth)).count > 1
    let stepsVary = Set(samples.map(\.logSteps)).count > 1
    // Regress y - (fixed slopes) on the varying columns: normal equations.
    var columns: [[Double]] = [samples.map { _ in 1 }]
    if widthVaries { columns.append(samples.map(\.logWidth)) }
    if stepsVary { columns.append(samples.map(\.logSteps)) }
    let y = samples.map {
      $0.logSeconds - (widthVaries ? 0 : $0.logWidth) - (stepsVary ? 0 : $0.logSteps)
    }
    let k = columns.count
    var a = [[Double]](repeating: [Double](repeating: 0, count: k + 1), count: k)
    for i in 0..<k {
      for j in 0..<k { a[i][j] = zip(columns[i], columns[j]).reduce(0) { $0 + $1.0 * $1.1 } }
      a[i][k] = zip(columns[i], y).reduce(0) { $0 + $1.0 * $1.1 }
    }
    // Gaussian elimination with partial pivoting; a singular system (too few
    // distinct points) falls back to the mean with unit slopes.
    for col in 0..<k {
      guard let pivot = (col..<k).max(by: { abs(a[$0][col]) < abs(a[$1][col]) }),
        abs(a[pivot][col]) > 1e-12
      else {
        let offsets = samples.map { $0.logSeconds - $0.logWidth - $0.logSteps }
        return (offsets.reduce(0, +) / Double(offsets.count), 1, 1)
      }
      a.swapAt(col, pivot)
      for row in 0..<k where row != col {
        let f = a[row][col] / a[col][col]
        for j in col...k { a[row][j] -= f * a[col][j] }
      }
    }
    var solution = (0..<k).map { a[$0][k] / a[$0][$0] }
    let c0 = solution.removeFirst()
    let c1 = widthVaries ? solution.removeFirst() : 1
    let c2 = stepsVary ? solution.removeFirst() : 1
    return (c0, c1, c2)
  }
}
