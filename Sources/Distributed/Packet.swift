import SweepSpec

/// One message of the work protocol, decoded. Every packet between the
/// coordinator and a worker is one of these (see ``Tag`` for the wire tags).
public enum Packet {
  /// worker -> coordinator: give me a cell; `host` names the worker's host.
  case request(host: String)
  /// worker -> coordinator: a finished cell.
  case result(cell: Int, outcome: CellOutcome, seconds: Double)
  /// coordinator -> worker: train this cell.
  case assign(cell: Int)
  /// coordinator -> worker: no more work; answer with ``goodbye`` and end.
  case dismiss
  /// worker -> coordinator: this rank was signalled to stop.
  case stopping
  /// coordinator -> worker: stop requested: finish (within the grace) or abandon the cell.
  case halt
  /// both ways: alive.
  case heartbeat
  /// worker -> coordinator: dismissed; nothing more will come from this rank.
  case goodbye

  var tag: Tag {
    switch self {
    case .request: .request
    case .result: .result
    case .assign, .dismiss: .assign
    case .stopping: .stopping
    case .halt: .halt
    case .heartbeat: .heartbeat
    case .goodbye: .goodbye
    }
  }

  var payload: [Double] {
    switch self {
    case .request(let host): Array(host.utf8.prefix(256)).map { Double($0) }
    case .result(let cell, let outcome, let seconds):
      WireFormat.encode(cell: cell, outcome: outcome, seconds: seconds)
    case .assign(let cell): [Double(cell)]
    case .dismiss: [-1]
    case .stopping, .halt, .heartbeat, .goodbye: []
    }
  }

  /// The packet a message carries, or nil for an unknown tag or a malformed payload.
  init?(_ message: Message) {
    guard let tag = Tag(rawValue: message.tag) else { return nil }
    let p = message.payload
    switch tag {
    case .request:
      self = .request(host: String(decoding: p.map { UInt8(clamping: Int($0)) }, as: UTF8.self))
    case .result:
      guard let d = WireFormat.decode(p) else { return nil }
      self = .result(cell: d.cell, outcome: d.outcome, seconds: d.seconds)
    case .assign:
      guard p.count == 1 else { return nil }
      self = p[0] < 0 ? .dismiss : .assign(cell: Int(p[0]))
    case .stopping: self = .stopping
    case .halt: self = .halt
    case .heartbeat: self = .heartbeat
    case .goodbye: self = .goodbye
    }
  }
}

extension Transport {
  func send(_ packet: Packet, to destination: Int) throws {
    try send(packet.payload, to: destination, tag: packet.tag.rawValue)
  }
}
