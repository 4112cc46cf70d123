import SweepSpec

/// Message tags of the work protocol.
enum Tag: Int {
  /// worker -> coordinator: give me a cell.
  case request = 1
  /// worker -> coordinator: a finished cell (``WireFormat/encode(cell:outcome:seconds:)``).
  case result = 2
  /// coordinator -> worker: `[cell index]`, or `[-1]` for "no more work".
  case assign = 3
  /// worker -> coordinator: a stop signal arrived; this rank takes no more work.
  case stopping = 4
  /// coordinator -> worker: a stop was requested; finish or abandon the cell.
  case halt = 5
  /// both ways: still alive (sent when nothing else was sent for a while).
  case heartbeat = 6
  /// worker -> coordinator: dismissal received; the last message of this rank.
  case goodbye = 7
}

/// Encodes a finished cell as doubles for MPI (integers below 2^53 are exact):
/// the cell's outcome, then the count of shorter-budget outcomes and each of them.
enum WireFormat {
  static func encode(cell: Int, outcome: CellOutcome, seconds: Double) -> [Double] {
    var out = encodeOne(cell: cell, outcome: outcome, seconds: seconds)
    out.append(Double(outcome.shorterBudgets.count))
    for shorter in outcome.shorterBudgets {
      out += encodeOne(cell: cell, outcome: shorter, seconds: 0)
    }
    return out
  }

  private static func encodeOne(cell: Int, outcome: CellOutcome, seconds: Double) -> [Double] {
    let message = Array((outcome.message ?? "").utf8.prefix(2000)).map { Double($0) }
    var out: [Double] = [
      Double(cell), Double(outcome.status.rawValue), seconds,
      Double(outcome.divergedStep ?? -1), outcome.lossFloor, Double(outcome.steps.count),
      Double(message.count), outcome.flopsPerStep ?? .nan,
    ]
    out += outcome.steps.map { Double($0) }
    out += outcome.trainLoss
    out += outcome.testLoss
    out += message
    return out
  }

  struct Decoded {
    var cell: Int
    var outcome: CellOutcome
    var seconds: Double
  }

  static func decode(_ p: [Double]) -> Decoded? {
    var rest = p[...]
    guard var main = decodeOne(&rest), let count = rest.popFirst(), count >= 0 else { return nil }
    for _ in 0..<Int(count) {
      guard let shorter = decodeOne(&rest) else { return nil }
      main.outcome.shorterBudgets.append(shorter.outcome)
    }
    return rest.isEmpty ? main : nil
  }

  /// Decodes one outcome from the front of `rest`, removing it.
  private static func decodeOne(_ rest: inout ArraySlice<Double>) -> Decoded? {
    // Header: cell, status, seconds, diverged step, loss floor, records,
    // message length, FLOPs per step (NaN: the job's own).
    let header = 8
    guard rest.count >= header,
      let status = CellStatus(rawValue: Int32(rest[rest.startIndex + 1]))
    else { return nil }
    let records = Int(rest[rest.startIndex + 5])
    let messageLength = Int(rest[rest.startIndex + 6])
    let length = header + 3 * records + messageLength
    guard records >= 0, messageLength >= 0, rest.count >= length else { return nil }
    let p = Array(rest.prefix(length))
    rest = rest.dropFirst(length)
    let steps = p[header..<(header + records)].map { Int($0) }
    let train = Array(p[(header + records)..<(header + 2 * records)])
    let test = Array(p[(header + 2 * records)..<(header + 3 * records)])
    let messageBytes = p[(header + 3 * records)...].map { UInt8($0) }
    let diverged = Int(p[3])
    return Decoded(
      cell: Int(p[0]),
      outcome: CellOutcome(
        status: status, steps: steps, trainLoss: train, testLoss: test,
        divergedStep: diverged >= 0 ? diverged : nil, lossFloor: p[4],
        message: messageBytes.isEmpty ? nil : String(decoding: messageBytes, as: UTF8.self),
        flopsPerStep: p[7].isNaN ? nil : p[7]),
      seconds: p[2])
  }
}
