import Foundation

/// Final losses of training runs made elsewhere: model size `N`, tokens or
/// steps `D`, compute `C` and loss `L` per run.
public struct ExternalRuns: Sendable, Equatable {
  public var size: [Double]
  public var data: [Double]
  public var compute: [Double]
  public var loss: [Double]
  /// Rows skipped (non-finite or non-positive values) and other notes.
  public var warnings: [String]

  public var count: Int { loss.count }

  public init(
    size: [Double], data: [Double], compute: [Double], loss: [Double], warnings: [String] = []
  ) {
    self.size = size
    self.data = data
    self.compute = compute
    self.loss = loss
    self.warnings = warnings
  }

  /// Loads runs from CSV text. Without `dataColumn`, `D = C / (6 N)` (the
  /// dense-transformer FLOP count `C ≈ 6 N D`). Rows with a NaN, infinite or
  /// non-positive `N`, `D`, `C` or `L` are skipped with a warning.
  public static func load(
    csv text: String, sizeColumn: String, computeColumn: String, lossColumn: String,
    dataColumn: String? = nil
  ) throws -> ExternalRuns {
    let table = try CSVTable(text: text)
    let n = try table.column(sizeColumn)
    let c = try table.column(computeColumn)
    let l = try table.column(lossColumn)
    let d = try dataColumn.map { try table.column($0) } ?? zip(c, n).map { $0 / (6 * $1) }
    var runs = ExternalRuns(size: [], data: [], compute: [], loss: [])
    var skipped: [Int] = []
    for i in l.indices {
      guard [n[i], d[i], c[i], l[i]].allSatisfy({ $0.isFinite && $0 > 0 }) else {
        skipped.append(i + 1)
        continue
      }
      runs.size.append(n[i])
      runs.data.append(d[i])
      runs.compute.append(c[i])
      runs.loss.append(l[i])
    }
    if !skipped.isEmpty {
      runs.warnings.append(
        "skipped \(skipped.count) rows with non-finite or non-positive values (rows \(skipped.prefix(10).map(String.init).joined(separator: ", "))\(skipped.count > 10 ? ", ..." : ""))"
      )
    }
    return runs
  }

  /// The runs without the `count` highest losses (Epoch AI drop the 5
  /// highest-loss Chinchilla runs as outliers).
  public func droppingHighestLosses(_ count: Int) -> ExternalRuns {
    guard count > 0 else { return self }
    let keep = loss.indices.sorted { loss[$0] > loss[$1] }.dropFirst(count).sorted()
    var result = ExternalRuns(
      size: keep.map { size[$0] }, data: keep.map { data[$0] }, compute: keep.map { compute[$0] },
      loss: keep.map { loss[$0] }, warnings: warnings)
    result.warnings.append("dropped the \(count) highest-loss runs")
    return result
  }

  /// Every `k`-th run, `k = ceil(count / maximum)`: a deterministic subsample
  /// of at most `maximum` runs (self when already that small).
  public func strided(maximum: Int) -> ExternalRuns {
    guard count > maximum, maximum > 0 else { return self }
    let step = (count + maximum - 1) / maximum
    let keep = Array(stride(from: 0, to: count, by: step))
    return ExternalRuns(
      size: keep.map { size[$0] }, data: keep.map { data[$0] }, compute: keep.map { compute[$0] },
      loss: keep.map { loss[$0] }, warnings: warnings)
  }

  /// Surface points `(N, D, L)`, one bootstrap cluster per run.
  public var surfacePoints: SurfacePoints {
    var ignored: [String] = []
    return SurfacePoints(size: size, length: data, loss: loss, warnings: &ignored)
  }
}
