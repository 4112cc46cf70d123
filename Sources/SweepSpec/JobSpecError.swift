/// Why a job file was rejected. Every case names the file and the key path
/// (`grid.width[2]`) so the one-line message says exactly what to fix.
public enum JobSpecError: Error, Equatable, Sendable, CustomStringConvertible {
  case unreadable(file: String, reason: String)
  case syntax(file: String, line: Int, column: Int, message: String)
  case invalidValue(file: String, key: String, value: String, expected: String)
  case missingKey(file: String, key: String, expected: String)
  case unknownKey(file: String, key: String, suggestion: String?)
  case tooLarge(file: String, key: String, message: String)

  public var description: String {
    switch self {
    case .unreadable(let file, let reason):
      return "\(file): cannot read job file: \(reason)"
    case .syntax(let file, let line, let column, let message):
      return "\(file): line \(line), column \(column): JSON syntax error: \(message)"
    case .invalidValue(let file, let key, let value, let expected):
      return "\(file): \(key): got \(value), expected \(expected)"
    case .missingKey(let file, let key, let expected):
      return "\(file): \(key): missing, expected \(expected)"
    case .unknownKey(let file, let key, let suggestion):
      let hint = suggestion.map { " (did you mean \"\($0)\"?)" } ?? ""
      return "\(file): \(key): unknown key\(hint)"
    case .tooLarge(let file, let key, let message):
      return "\(file): \(key): \(message)"
    }
  }
}

/// Levenshtein distance, for did-you-mean hints on unknown keys.
func editDistance(_ a: String, _ b: String) -> Int {
  let a = Array(a.lowercased())
  let b = Array(b.lowercased())
  if a.isEmpty { return b.count }
  if b.isEmpty { return a.count }
  var previous = Array(0...b.count)
  var row = [Int](repeating: 0, count: b.count + 1)
  for i in 1...a.count {
    row[0] = i
    for j in 1...b.count {
      let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
      row[j] = min(previous[j] + 1, row[j - 1] + 1, substitution)
    }
    swap(&previous, &row)
  }
  return previous[b.count]
}

/// The closest allowed key within a small edit distance, if any.
func closestKey(to key: String, in allowed: [String]) -> String? {
  let scored = allowed.map { ($0, editDistance(key, $0)) }
  guard let best = scored.min(by: { $0.1 < $1.1 }) else { return nil }
  let limit = max(2, key.count / 3)
  return best.1 <= limit ? best.0 : nil
}
