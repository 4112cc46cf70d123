import Foundation

/// Text made safe to print: control characters are spelled out instead of
/// reaching the terminal, where an ESC sequence could rewrite the screen and
/// a newline would split a one-line error into two.
///
/// Escaped: C0 controls and DEL (`\n`, `\r`, `\t`, `\e`, else `\x1b`-style),
/// C1 controls (U+0080–U+009F, which some terminals obey like ESC `[`), and
/// the bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069),
/// which reorder what a line appears to say. A backslash stays as it is.
public enum TerminalText {
  public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.value {
    case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
    default: return false
    }
  }

  /// `text` on one line, every control character escaped (newlines too).
  public static func line(_ text: String) -> String { escaped(text, keepingNewlines: false) }

  /// `text` as lines: newlines kept, every other control character escaped.
  public static func block(_ text: String) -> String { escaped(text, keepingNewlines: true) }

  private static func escaped(_ text: String, keepingNewlines: Bool) -> String {
    guard text.unicodeScalars.contains(where: isControl) else { return text }
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      guard isControl(scalar), !(keepingNewlines && scalar == "\n") else {
        out.append(scalar)
        continue
      }
      let spelled: String
      switch scalar {
      case "\n": spelled = "\\n"
      case "\r": spelled = "\\r"
      case "\t": spelled = "\\t"
      case "\u{1B}": spelled = "\\e"
      default:
        let hex = String(scalar.value, radix: 16)
        spelled =
          scalar.value <= 0xFF
          ? "\\x" + String(repeating: "0", count: 2 - hex.count) + hex : "\\u{\(hex)}"
      }
      out.append(contentsOf: spelled.unicodeScalars)
    }
    return String(out)
  }

  /// `text` as one shell word, on one line: control characters are spelled
  /// in bash's `$'...'` quoting (`$'a\nb'`), never written raw.
  public static func shellWord(_ text: String) -> String {
    let safe = text.unicodeScalars.allSatisfy {
      ($0.isASCII
        && (CharacterSet.alphanumerics.contains($0) || "-_./=:,+@%".unicodeScalars.contains($0)))
    }
    if safe && !text.isEmpty { return text }
    guard text.unicodeScalars.contains(where: isControl) else {
      return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
    var out = "$'"
    for scalar in text.unicodeScalars {
      switch scalar {
      case "'": out += "\\'"
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\t": out += "\\t"
      case "\r": out += "\\r"
      case _ where isControl(scalar):
        for byte in String(scalar).utf8 { out += String(format: "\\x%02x", byte) }
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "'"
  }
}
