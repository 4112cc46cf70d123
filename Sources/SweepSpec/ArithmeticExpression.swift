import Foundation

/// A small arithmetic expression over a cell's coordinates, for a command
/// job's `cost` and `flops_per_step` (`6 * width ^ 2 * batch`).
///
/// Grammar (usual precedence, `^` binds tightest and to the right):
///
///     sum     = product (("+" | "-") product)*
///     product = power (("*" | "/") power)*
///     power   = unary ("^" power)?
///     unary   = "-" unary | atom
///     atom    = number | name | "(" sum ")"
///
/// Names are coordinates (`width`, `steps`, ...; see ``CommandSpec/coordinateNames``)
/// or `task.KEY`, a number in the cell's task object.
public struct ArithmeticExpression: Equatable, Sendable {
  public let text: String
  private let root: Node

  indirect enum Node: Equatable, Sendable {
    case number(Double)
    case name(String)
    case negate(Node)
    case binary(Character, Node, Node)
  }

  /// Why an expression was refused: a short phrase for a one-line error.
  public struct ParseError: Error, Equatable, Sendable {
    public var message: String
  }

  /// Parses `text`; every name must be in `names` (or start with `task.` when
  /// `taskKeys` holds what follows).
  public init(_ text: String, names: Set<String>, taskKeys: Set<String> = []) throws(ParseError) {
    var parser = Parser(characters: Array(text), names: names, taskKeys: taskKeys)
    parser.skipSpace()
    let node = try parser.sum()
    parser.skipSpace()
    if parser.position < parser.characters.count {
      throw ParseError(
        message:
          "unexpected '\(parser.characters[parser.position])' at character \(parser.position + 1)")
    }
    self.text = text
    self.root = node
  }

  /// The names the expression reads.
  public var names: Set<String> {
    var out = Set<String>()
    func walk(_ node: Node) {
      switch node {
      case .number: break
      case .name(let n): out.insert(n)
      case .negate(let a): walk(a)
      case .binary(_, let a, let b):
        walk(a)
        walk(b)
      }
    }
    walk(root)
    return out
  }

  /// The value with each name looked up in `values` (a missing name is NaN).
  public func evaluate(_ values: [String: Double]) -> Double {
    func value(_ node: Node) -> Double {
      switch node {
      case .number(let x): return x
      case .name(let n): return values[n] ?? .nan
      case .negate(let a): return -value(a)
      case .binary(let op, let a, let b):
        let x = value(a)
        let y = value(b)
        switch op {
        case "+": return x + y
        case "-": return x - y
        case "*": return x * y
        case "/": return x / y
        default: return pow(x, y)
        }
      }
    }
    return value(root)
  }

  private struct Parser {
    let characters: [Character]
    let names: Set<String>
    let taskKeys: Set<String>
    var position = 0

    init(characters: [Character], names: Set<String>, taskKeys: Set<String>) {
      self.characters = characters
      self.names = names
      self.taskKeys = taskKeys
    }

    var current: Character? { position < characters.count ? characters[position] : nil }

    mutating func skipSpace() {
      while let c = current, c == " " || c == "\t" { position += 1 }
    }

    mutating func sum() throws(ParseError) -> Node {
      var left = try product()
      while true {
        skipSpace()
        guard let op = current, op == "+" || op == "-" else { return left }
        position += 1
        left = .binary(op, left, try product())
      }
    }

    mutating func product() throws(ParseError) -> Node {
      var left = try power()
      while true {
        skipSpace()
        guard let op = current, op == "*" || op == "/" else { return left }
        position += 1
        left = .binary(op, left, try power())
      }
    }

    mutating func power() throws(ParseError) -> Node {
      let base = try unary()
      skipSpace()
      guard current == "^" else { return base }
      position += 1
      return .binary("^", base, try power())
    }

    mutating func unary() throws(ParseError) -> Node {
      skipSpace()
      if current == "-" {
        position += 1
        return .negate(try unary())
      }
      return try atom()
    }

    mutating func atom() throws(ParseError) -> Node {
      skipSpace()
      guard let c = current else { throw ParseError(message: "unexpected end, expected a value") }
      if c == "(" {
        position += 1
        let inner = try sum()
        skipSpace()
        guard current == ")" else {
          throw ParseError(message: "missing ')' at character \(position + 1)")
        }
        position += 1
        return inner
      }
      if c.isNumber || c == "." {
        let start = position
        while let d = current, d.isNumber || d == "." { position += 1 }
        if let e = current, e == "e" || e == "E" {
          position += 1
          if let s = current, s == "+" || s == "-" { position += 1 }
          while let d = current, d.isNumber { position += 1 }
        }
        let text = String(characters[start..<position])
        guard let x = Double(text), x.isFinite else {
          throw ParseError(message: "bad number \"\(text)\"")
        }
        return .number(x)
      }
      if c.isLetter || c == "_" {
        let start = position
        while let d = current, d.isLetter || d.isNumber || d == "_" || d == "." { position += 1 }
        let name = String(characters[start..<position])
        if name.hasPrefix("task.") {
          let key = String(name.dropFirst(5))
          guard taskKeys.contains(key) else {
            throw ParseError(message: "\"\(name)\": no task has a number \"\(key)\"")
          }
          return .name(name)
        }
        guard names.contains(name) else {
          throw ParseError(
            message:
              "unknown name \"\(name)\" (coordinates: \(names.sorted().joined(separator: ", ")))")
        }
        return .name(name)
      }
      throw ParseError(message: "unexpected '\(c)' at character \(position + 1)")
    }
  }
}
