/// One `--set KEY=VALUE` of the command line: a dotted key path into the job
/// file and a JSON value that replaces (or adds) what is there.
///
/// `VALUE` is JSON (`[64,128]`, `0.5`, `{"kind":"cosine"}`, `"text"`); a bare
/// word that is not JSON (`cosine`) is taken as a string, and `null` removes
/// the key (`--set training.lr=null --set grid.lr=[0.1,0.2]`). Objects missing on
/// the path are created, and a string standing for a schedule kind
/// (`"schedule": "constant"`) becomes `{"kind": ...}` when a key below it is set.
public struct JobOverride: Equatable, Sendable {
  public var path: [String]
  public var value: JSONValue
  /// The override as written, for error messages.
  public var text: String

  public var key: String { path.joined(separator: ".") }

  /// True when an error about `errorKey` may come from this override: the key
  /// is the override's, lies below it, or contains it.
  func covers(_ errorKey: String) -> Bool {
    errorKey == key || errorKey.hasPrefix(key + ".") || errorKey.hasPrefix(key + "[")
      || key.hasPrefix(errorKey + ".")
  }

  /// Parses `KEY=VALUE`; errors read like job-file errors, naming the override.
  public init(_ text: String) throws(JobSpecError) {
    self.text = text
    let source = "--set \(text)"
    guard let equals = text.firstIndex(of: "=") else {
      throw .invalidValue(
        file: source, key: text.isEmpty ? "(empty)" : text, value: "no \"=\"",
        expected: "KEY=VALUE, e.g. grid.width=[64,128]")
    }
    let key = String(text[..<equals])
    let valueText = String(text[text.index(after: equals)...])
    let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard !key.isEmpty, path.allSatisfy({ !$0.isEmpty }) else {
      throw .invalidValue(
        file: source, key: key.isEmpty ? "(empty)" : key, value: "key path \"\(key)\"",
        expected: "dot-separated job keys such as training.schedule.kind")
    }
    self.path = path
    do {
      value = try JSONParser.parse(valueText)
    } catch {
      let bareWord =
        !valueText.isEmpty
        && valueText.allSatisfy { $0.isLetter || $0.isNumber || "-_".contains($0) }
        && valueText.first!.isLetter
      guard bareWord else {
        throw .syntax(file: source, line: error.line, column: error.column, message: error.message)
      }
      value = .string(valueText)
    }
  }

  /// `root` with this override applied.
  func apply(to root: JSONValue) throws(JobSpecError) -> JSONValue {
    try Self.set(value, at: path[...], in: root, done: [], source: "--set \(text)")
  }

  private static func set(
    _ value: JSONValue, at path: ArraySlice<String>, in node: JSONValue, done: [String],
    source: String
  ) throws(JobSpecError) -> JSONValue {
    guard let head = path.first else { return value }
    var members: [(key: String, value: JSONValue)]
    switch node {
    case .object(let list): members = list
    case .string(let kind) where done.last == "schedule":
      // A schedule written as its kind: "constant" stands for {"kind": "constant"}.
      members = [("kind", .string(kind))]
    default:
      let where_ = done.isEmpty ? "the job" : done.joined(separator: ".")
      throw .invalidValue(
        file: source, key: (done + [head]).joined(separator: "."),
        value: "\(where_) is \(node.brief)", expected: "an object to set \"\(head)\" in")
    }
    if path.count == 1, value == .null {
      members.removeAll { $0.key == head }
      return .object(members)
    }
    let child = members.first(where: { $0.key == head })?.value ?? .object([])
    let updated = try set(
      value, at: path.dropFirst(), in: child, done: done + [head], source: source)
    if let i = members.firstIndex(where: { $0.key == head }) {
      members[i].value = updated
    } else {
      members.append((head, updated))
    }
    return .object(members)
  }
}

extension JobSpec {
  /// Reads a job file, applies `overrides` in order, and validates the result.
  /// An error in an overridden key names the override as well as the file.
  public static func load(path: String, overrides: [JobOverride]) throws(JobSpecError) -> JobSpec {
    guard !overrides.isEmpty else { return try load(path: path) }
    let text = try readText(path: path)
    var root: JSONValue
    do {
      root = try JSONParser.parse(text)
    } catch {
      throw .syntax(file: path, line: error.line, column: error.column, message: error.message)
    }
    for override in overrides {
      root = try override.apply(to: root)
    }
    do {
      return try JobReader(file: path).job(from: root)
    } catch {
      throw error.blaming(overrides, file: path)
    }
  }
}

extension JobSpecError {
  /// The key an error names, if any.
  var key: String? {
    switch self {
    case .invalidValue(_, let key, _, _), .missingKey(_, let key, _), .unknownKey(_, let key, _),
      .tooLarge(_, let key, _):
      return key
    default: return nil
    }
  }

  /// The error with its file given as `FILE (--set K=V)` when the key it names
  /// lies at or below an override's key (the last such override).
  func blaming(_ overrides: [JobOverride], file: String) -> JobSpecError {
    guard let key,
      let culprit = overrides.last(where: { $0.covers(key) })
    else { return self }
    let source = "\(file) (--set \(culprit.text))"
    switch self {
    case .invalidValue(_, let k, let v, let e):
      return .invalidValue(file: source, key: k, value: v, expected: e)
    case .missingKey(_, let k, let e): return .missingKey(file: source, key: k, expected: e)
    case .unknownKey(_, let k, let s): return .unknownKey(file: source, key: k, suggestion: s)
    case .tooLarge(_, let k, let m): return .tooLarge(file: source, key: k, message: m)
    default: return self
    }
  }
}
