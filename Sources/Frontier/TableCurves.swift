import Foundation

/// Learning curves from a table of runs made elsewhere: rows sharing the
/// value of a run column are one run, with one model size `N` and losses at
/// several data amounts `D` (a data column, or `D = C / (6 N)`). Each run
/// becomes a `LossCurve` with `steps = D` and compute per step `C / D`, in one
/// slice (`gamma` 0, task `table`), its own bootstrap cluster.
public enum TableCurves {
  public static func load(
    csv text: String, runColumn: String, sizeColumn: String, computeColumn: String,
    lossColumn: String, dataColumn: String? = nil
  ) throws -> ([LossCurve], [String]) {
    let table = try CSVTable(text: text)
    guard let runIndex = table.header.firstIndex(of: runColumn) else {
      throw FrontierError.missingColumn(name: runColumn, available: table.header)
    }
    let n = try table.column(sizeColumn)
    let c = try table.column(computeColumn)
    let l = try table.column(lossColumn)
    let d = try dataColumn.map { try table.column($0) } ?? zip(c, n).map { $0 / (6 * $1) }
    var order: [String] = []
    var rows: [String: [Int]] = [:]
    var skipped = 0
    for i in l.indices {
      guard [n[i], d[i], c[i], l[i]].allSatisfy({ $0.isFinite && $0 > 0 }) else {
        skipped += 1
        continue
      }
      let run = table.rows[i][runIndex]
      if rows[run] == nil { order.append(run) }
      rows[run, default: []].append(i)
    }
    var warnings: [String] = []
    if skipped > 0 {
      warnings.append("skipped \(skipped) rows with non-finite or non-positive values")
    }
    var curves: [LossCurve] = []
    for (k, run) in order.enumerated() {
      let members = rows[run]!.sorted { d[$0] < d[$1] }
      let size = n[members[0]]
      guard members.allSatisfy({ n[$0] == size }) else {
        throw FrontierError.invalidValue(
          context: "run '\(run)' (column \(runColumn)): size column \(sizeColumn)",
          value: n[members.first { n[$0] != size }!], expected: "one size per run, \(size)")
      }
      guard members.count >= 2 else {
        warnings.append("run '\(run)': one row, no curve; left out")
        continue
      }
      curves.append(
        LossCurve(
          width: size, gamma: 0, task: "table", seed: k,
          flopsPerStep: c[members[0]] / d[members[0]], steps: members.map { d[$0] },
          loss: members.map { l[$0] }))
    }
    guard Set(curves.map(\.width)).count >= 2 else {
      throw FrontierError.tooFewPoints(
        context: "runs with distinct sizes (column \(sizeColumn))", needed: 2,
        got: Set(curves.map(\.width)).count)
    }
    return (curves, warnings)
  }
}
