import Foundation

/// A minimal RFC 4180 reader: comma-separated, optional double quotes with
/// `""` escapes, first row is the header.
public struct CSVTable: Sendable, Equatable {
  public var header: [String]
  public var rows: [[String]]

  /// Parses `text` byte by byte over its UTF-8 (a million rows in about a second).
  public init(text: String) throws {
    var text = text
    var records: [[String]] = []
    var malformed: FrontierError? = nil
    text.withUTF8 { bytes in
      let quote = UInt8(ascii: "\"")
      let comma = UInt8(ascii: ",")
      let newline = UInt8(ascii: "\n")
      let carriage = UInt8(ascii: "\r")
      var record: [String] = []
      var field: [UInt8] = []
      var fieldStart = 0
      var quoted = false
      var inQuotes = false
      var i = 0
      let n = bytes.count
      func finishField(_ end: Int) {
        if quoted {
          record.append(String(decoding: field, as: UTF8.self))
        } else {
          record.append(
            String(decoding: UnsafeBufferPointer(rebasing: bytes[fieldStart..<end]), as: UTF8.self))
        }
        field.removeAll(keepingCapacity: true)
        quoted = false
      }
      while i < n {
        let c = bytes[i]
        if inQuotes {
          if c == quote {
            if i + 1 < n && bytes[i + 1] == quote {
              field.append(quote)
              i += 1
            } else {
              inQuotes = false
            }
          } else {
            field.append(c)
          }
        } else if c == quote {
          // A quoted field: collect its bytes (with any unquoted prefix).
          if !quoted {
            field.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[fieldStart..<i]))
          }
          quoted = true
          inQuotes = true
        } else if c == comma {
          finishField(i)
          fieldStart = i + 1
        } else if c == newline || c == carriage {
          finishField(i)
          if c == carriage && i + 1 < n && bytes[i + 1] == newline { i += 1 }
          if !(record.count == 1 && record[0].isEmpty) { records.append(record) }
          record = []
          fieldStart = i + 1
        } else if quoted {
          field.append(c)
        }
        i += 1
      }
      if inQuotes {
        malformed = FrontierError.malformedTable(row: records.count, reason: "unterminated quote")
        return
      }
      if fieldStart < n || !record.isEmpty || quoted {
        finishField(n)
        records.append(record)
      }
    }
    if let malformed { throw malformed }
    guard let first = records.first else {
      throw FrontierError.malformedTable(row: 0, reason: "empty table")
    }
    header = first.map { $0.trimmingCharacters(in: .whitespaces) }
    rows = Array(records.dropFirst())
    for (i, row) in rows.enumerated() where row.count != header.count {
      throw FrontierError.malformedTable(
        row: i + 1, reason: "\(row.count) fields, header has \(header.count)")
    }
  }

  /// The numeric column `name`; empty cells and `nan`/`inf` spellings become NaN/inf.
  public func column(_ name: String) throws -> [Double] {
    guard let index = header.firstIndex(of: name) else {
      throw FrontierError.missingColumn(name: name, available: header)
    }
    return try rows.enumerated().map { (i, row) in
      if let value = Double(row[index]) { return value }
      let text = row[index].trimmingCharacters(in: .whitespaces)
      if text.isEmpty { return .nan }
      guard let value = Double(text) else {
        switch text.lowercased() {
        case "nan", "na", "null": return .nan
        case "inf", "+inf", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        default: throw FrontierError.unparsableNumber(row: i + 1, column: name, text: text)
        }
      }
      return value
    }
  }
}
