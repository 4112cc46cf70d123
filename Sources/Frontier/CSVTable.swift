import Foundation

/// A minimal RFC 4180 reader: comma-separated, optional double quotes with
/// `""` escapes, first row is the header.
public struct CSVTable: Sendable, Equatable {
  public var header: [String]
  public var rows: [[String]]

  public init(text: String) throws {
    var records: [[String]] = []
    var field = ""
    var record: [String] = []
    var inQuotes = false
    var iterator = Array(text.unicodeScalars)[...]
    while let c = iterator.popFirst() {
      if inQuotes {
        if c == "\"" {
          if iterator.first == "\"" {
            field.unicodeScalars.append("\"")
            iterator.removeFirst()
          } else {
            inQuotes = false
          }
        } else {
          field.unicodeScalars.append(c)
        }
      } else if c == "\"" {
        inQuotes = true
      } else if c == "," {
        record.append(field)
        field = ""
      } else if c == "\n" || c == "\r" {
        if c == "\r" && iterator.first == "\n" { iterator.removeFirst() }
        record.append(field)
        field = ""
        if !(record.count == 1 && record[0].isEmpty) { records.append(record) }
        record = []
      } else {
        field.unicodeScalars.append(c)
      }
    }
    if inQuotes {
      throw FrontierError.malformedTable(row: records.count, reason: "unterminated quote")
    }
    if !field.isEmpty || !record.isEmpty {
      record.append(field)
      records.append(record)
    }
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
