import Foundation

/// A parsed JSON document that keeps what job validation needs and Foundation's
/// `JSONSerialization` loses: the order of keys, duplicate keys, the difference
/// between `2` and `2.0`, and the line and column of every syntax error.
public indirect enum JSONValue: Equatable, Sendable {
  case null
  case bool(Bool)
  /// A number written without fraction or exponent that fits in `Int`.
  case integer(Int)
  case number(Double)
  case string(String)
  case array([JSONValue])
  /// Members in the order written.
  case object([(key: String, value: JSONValue)])

  public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
    switch (lhs, rhs) {
    case (.null, .null): return true
    case (.bool(let a), .bool(let b)): return a == b
    case (.integer(let a), .integer(let b)): return a == b
    case (.number(let a), .number(let b)): return a == b
    case (.string(let a), .string(let b)): return a == b
    case (.array(let a), .array(let b)): return a == b
    case (.object(let a), .object(let b)):
      return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    default: return false
    }
  }

  /// A short description of the value for error messages (`"abc"`, `-3`, `an object`).
  public var brief: String {
    switch self {
    case .null: return "null"
    case .bool(let b): return b ? "true" : "false"
    case .integer(let i): return String(i)
    case .number(let d): return JSONValue.format(d)
    case .string(let s): return s.count > 40 ? "\"\(s.prefix(40))...\"" : "\"\(s)\""
    case .array(let a): return "an array of \(a.count)"
    case .object: return "an object"
    }
  }

  /// Serialises as compact JSON; object members keep their order.
  public var serialized: String {
    var out = ""
    write(into: &out)
    return out
  }

  private func write(into out: inout String) {
    switch self {
    case .null: out += "null"
    case .bool(let b): out += b ? "true" : "false"
    case .integer(let i): out += String(i)
    case .number(let d): out += JSONValue.format(d)
    case .string(let s): JSONValue.writeString(s, into: &out)
    case .array(let a):
      out += "["
      for (i, v) in a.enumerated() {
        if i > 0 { out += "," }
        v.write(into: &out)
      }
      out += "]"
    case .object(let members):
      out += "{"
      for (i, m) in members.enumerated() {
        if i > 0 { out += "," }
        JSONValue.writeString(m.key, into: &out)
        out += ":"
        m.value.write(into: &out)
      }
      out += "}"
    }
  }

  /// Shortest text that reads back as the same `Double` (always with a `.` or exponent).
  static func format(_ d: Double) -> String {
    guard d.isFinite else { return "null" }
    var s = "\(d)"
    if !s.contains(".") && !s.contains("e") { s += ".0" }
    return s
  }

  private static func writeString(_ s: String, into out: inout String) {
    out += "\""
    for scalar in s.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if scalar.value < 0x20 {
          out += String(format: "\\u%04x", scalar.value)
        } else {
          out.unicodeScalars.append(scalar)
        }
      }
    }
    out += "\""
  }
}

/// A JSON syntax error with the 1-based line and column where it was found.
public struct JSONSyntaxError: Error, Equatable, Sendable {
  public var line: Int
  public var column: Int
  public var message: String
}

/// A strict RFC 8259 parser over UTF-8 bytes.
public struct JSONParser {
  private let bytes: [UInt8]
  private var position = 0

  /// Accepts `NaN`, `Infinity` and `-Infinity` as numbers (what Python's
  /// `json.dumps` writes for non-finite floats); off for job files.
  private var nonFinite = false

  /// Parses one JSON document; trailing non-space content is an error.
  /// `allowingNonFinite` accepts Python's `NaN` / `Infinity` tokens.
  public static func parse(_ text: String, allowingNonFinite: Bool = false)
    throws(JSONSyntaxError) -> JSONValue
  {
    var parser = JSONParser(bytes: Array(text.utf8))
    parser.nonFinite = allowingNonFinite
    parser.skipSpace()
    let value = try parser.parseValue(depth: 0)
    parser.skipSpace()
    if parser.position < parser.bytes.count {
      throw parser.error("unexpected content after the JSON document")
    }
    return value
  }

  private init(bytes: [UInt8]) { self.bytes = bytes }

  private func error(_ message: String) -> JSONSyntaxError {
    var line = 1
    var column = 1
    for b in bytes[0..<min(position, bytes.count)] {
      if b == UInt8(ascii: "\n") {
        line += 1
        column = 1
      } else if b & 0xC0 != 0x80 {
        column += 1
      }
    }
    return JSONSyntaxError(line: line, column: column, message: message)
  }

  private mutating func skipSpace() {
    while position < bytes.count {
      switch bytes[position] {
      case 0x20, 0x09, 0x0A, 0x0D: position += 1
      default: return
      }
    }
  }

  private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

  private mutating func parseValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
    guard depth < 64 else { throw error("nesting deeper than 64 levels") }
    guard let c = current else { throw error("unexpected end of file, expected a value") }
    switch c {
    case UInt8(ascii: "{"): return try parseObject(depth: depth)
    case UInt8(ascii: "["): return try parseArray(depth: depth)
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"):
      try expectWord("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expectWord("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expectWord("null")
      return .null
    case UInt8(ascii: "N") where nonFinite:
      try expectWord("NaN")
      return .number(.nan)
    case UInt8(ascii: "I") where nonFinite:
      try expectWord("Infinity")
      return .number(.infinity)
    case UInt8(ascii: "-")
    where nonFinite && position + 1 < bytes.count && bytes[position + 1] == UInt8(ascii: "I"):
      position += 1
      try expectWord("Infinity")
      return .number(-.infinity)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
    default:
      throw error(
        "unexpected character '\(String(decoding: [c], as: UTF8.self))', expected a value")
    }
  }

  private mutating func expectWord(_ word: String) throws(JSONSyntaxError) {
    let w = Array(word.utf8)
    guard position + w.count <= bytes.count, Array(bytes[position..<position + w.count]) == w else {
      throw error("invalid literal, expected '\(word)'")
    }
    position += w.count
  }

  private mutating func parseObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
    position += 1
    var members: [(key: String, value: JSONValue)] = []
    var seen = Set<String>()
    skipSpace()
    if current == UInt8(ascii: "}") {
      position += 1
      return .object(members)
    }
    while true {
      skipSpace()
      guard current == UInt8(ascii: "\"") else { throw error("expected a quoted key") }
      let keyStart = position
      let key = try parseString()
      if !seen.insert(key).inserted {
        position = keyStart
        throw error("duplicate key \"\(key)\"")
      }
      skipSpace()
      guard current == UInt8(ascii: ":") else { throw error("expected ':' after key \"\(key)\"") }
      position += 1
      skipSpace()
      let value = try parseValue(depth: depth + 1)
      members.append((key, value))
      skipSpace()
      switch current {
      case UInt8(ascii: ","): position += 1
      case UInt8(ascii: "}"):
        position += 1
        return .object(members)
      default: throw error("expected ',' or '}' in object")
      }
    }
  }

  private mutating func parseArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
    position += 1
    var items: [JSONValue] = []
    skipSpace()
    if current == UInt8(ascii: "]") {
      position += 1
      return .array(items)
    }
    while true {
      skipSpace()
      items.append(try parseValue(depth: depth + 1))
      skipSpace()
      switch current {
      case UInt8(ascii: ","): position += 1
      case UInt8(ascii: "]"):
        position += 1
        return .array(items)
      default: throw error("expected ',' or ']' in array")
      }
    }
  }

  private mutating func parseString() throws(JSONSyntaxError) -> String {
    position += 1
    var out = [UInt8]()
    while true {
      guard let c = current else { throw error("unterminated string") }
      position += 1
      switch c {
      case UInt8(ascii: "\""):
        return String(decoding: out, as: UTF8.self)
      case UInt8(ascii: "\\"):
        guard let e = current else { throw error("unterminated string") }
        position += 1
        switch e {
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "/"): out.append(0x2F)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
          var code = try parseHex4()
          if (0xD800..<0xDC00).contains(code) {
            guard current == UInt8(ascii: "\\"), position + 1 < bytes.count,
              bytes[position + 1] == UInt8(ascii: "u")
            else { throw error("unpaired surrogate in \\u escape") }
            position += 2
            let low = try parseHex4()
            guard (0xDC00..<0xE000).contains(low) else { throw error("invalid low surrogate") }
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
          }
          guard let scalar = Unicode.Scalar(code) else { throw error("invalid \\u escape") }
          out.append(contentsOf: Array(String(Character(scalar)).utf8))
        default:
          position -= 1
          throw error("invalid escape in string")
        }
      default:
        if c < 0x20 {
          position -= 1
          throw error("control character in string (newlines must be escaped)")
        }
        out.append(c)
      }
    }
  }

  private mutating func parseHex4() throws(JSONSyntaxError) -> UInt32 {
    guard position + 4 <= bytes.count else { throw error("short \\u escape") }
    var v: UInt32 = 0
    for _ in 0..<4 {
      let c = bytes[position]
      let digit: UInt32
      switch c {
      case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
      case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
      case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
      default: throw error("invalid hex digit in \\u escape")
      }
      v = v * 16 + digit
      position += 1
    }
    return v
  }

  private mutating func parseNumber() throws(JSONSyntaxError) -> JSONValue {
    let start = position
    var isInteger = true
    if current == UInt8(ascii: "-") { position += 1 }
    guard let first = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
      throw error("invalid number")
    }
    if first == UInt8(ascii: "0") {
      position += 1
      if let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) {
        throw error("leading zeros are not allowed in numbers")
      }
    } else {
      skipDigits()
    }
    if current == UInt8(ascii: ".") {
      isInteger = false
      position += 1
      guard let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) else {
        throw error("expected digits after '.'")
      }
      skipDigits()
    }
    if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
      isInteger = false
      position += 1
      if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
      guard let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) else {
        throw error("expected digits in exponent")
      }
      skipDigits()
    }
    let text = String(decoding: bytes[start..<position], as: UTF8.self)
    if isInteger, let i = Int(text) { return .integer(i) }
    guard let d = Double(text), d.isFinite else {
      position = start
      throw error("number \(text) is out of range")
    }
    return .number(d)
  }

  private mutating func skipDigits() {
    while let c = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) { position += 1 }
  }
}
