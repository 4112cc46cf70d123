import Foundation

/// Everything that can go wrong in the `Frontier` module, each case carrying
/// what a user needs to fix the input.
public enum FrontierError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A fit needs more usable points than it got.
  case tooFewPoints(context: String, needed: Int, got: Int)
  /// Two arrays that must pair up have different lengths.
  case lengthMismatch(context: String, first: Int, second: Int)
  /// A value is outside the domain where the formula holds.
  case invalidValue(context: String, value: Double, expected: String)
  /// A named column is missing from a table.
  case missingColumn(name: String, available: [String])
  /// A table cell could not be parsed as a number.
  case unparsableNumber(row: Int, column: String, text: String)
  /// A table is malformed (wrong number of fields, unterminated quote, ...).
  case malformedTable(row: Int, reason: String)
  /// A bootstrap replicate range or set is inconsistent with the plan.
  case invalidReplicateRange(lower: Int, upper: Int, total: Int)
  /// The optimiser found no finite optimum from any start.
  case noConvergedStart(context: String)
  /// Writing an output file failed.
  case writeFailed(path: String, reason: String)

  public var description: String {
    switch self {
    case .tooFewPoints(let context, let needed, let got):
      return "\(context): needs at least \(needed) usable points, got \(got)"
    case .lengthMismatch(let context, let first, let second):
      return "\(context): lengths differ (\(first) vs \(second))"
    case .invalidValue(let context, let value, let expected):
      return "\(context): value \(value) is invalid, expected \(expected)"
    case .missingColumn(let name, let available):
      return "column '\(name)' not found; available: \(available.joined(separator: ", "))"
    case .unparsableNumber(let row, let column, let text):
      return "row \(row), column '\(column)': '\(text)' is not a number"
    case .malformedTable(let row, let reason):
      return "row \(row): \(reason)"
    case .invalidReplicateRange(let lower, let upper, let total):
      return "replicate range \(lower)..<\(upper) is not inside 0..<\(total)"
    case .noConvergedStart(let context):
      return "\(context): no start converged to a finite objective"
    case .writeFailed(let path, let reason):
      return "could not write \(path): \(reason)"
    }
  }
}
