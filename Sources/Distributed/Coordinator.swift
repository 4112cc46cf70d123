import SweepSpec

/// How long silence may last before a rank counts as lost, and how often
/// ranks show they are alive.
public struct Liveness: Sendable {
  /// Seconds without any message from a rank before it is declared lost
  /// (`run --rank-timeout`); a worker that hears nothing from rank 0 for this
  /// long stops.
  public var rankTimeout: Double
  /// Seconds between heartbeats: a fifth of the timeout, between 0.05 s and 10 s,
  /// so that four heartbeats in a row can be delayed before a rank counts as lost.
  public var heartbeatInterval: Double { min(max(rankTimeout / 5, 0.05), 10) }

  public static let defaultRankTimeout = 120.0

  public init(rankTimeout: Double = Liveness.defaultRankTimeout) {
    self.rankTimeout = rankTimeout
  }
}

/// Rank 0's decisions, free of I/O and clocks: given what arrived from which
/// worker and when, what to send and which results to record.
///
/// Cells go out in the queue's order (largest first), one per request, so a
/// free rank always takes the most expensive cell left. A worker whose
/// messages stop for ``Liveness/rankTimeout`` is lost: its cell returns to the
/// front of the queue and nothing is sent to it again; a late result from it
/// is still recorded if no other rank has delivered that cell. While cells are
/// running, idle workers are parked (not dismissed) so that a returned cell
/// finds a taker. Every worker ends dismissed (it answers ``Packet/goodbye``)
/// or lost, so no message is left unmatched at the end.
public struct Coordinator {
  /// What the I/O loop must do.
  public enum Action {
    case send(Packet, to: Int)
    case record(cell: Int, outcome: CellOutcome, seconds: Double, rank: Int)
  }

  enum WorkerState: Equatable {
    /// Has not asked for work yet.
    case starting
    /// Sent a result; its next request is coming.
    case idle
    case busy(cell: Int)
    /// Asked for work while none was left but cells were still running.
    case parked
    /// Told there is no more work; its goodbye is coming.
    case dismissed
    case done
    case lost
  }

  public let liveness: Liveness
  private var queue: [Int]
  private var head = 0
  /// Cells taken back from lost ranks (handed out before the rest of the queue).
  private var returned: [Int] = []
  private(set) var states: [WorkerState]
  private var busyCount = 0
  /// Parked ranks, first parked first.
  private var parked: [Int] = []
  private var lastHeard: [Double]
  private var lastSent: [Double]
  /// Host of each rank, as it announced itself ("" until its first request).
  public private(set) var hosts: [String]
  /// Ranks declared lost, in the order it happened.
  public private(set) var lost: [Int] = []
  private var recorded: Set<Int> = []
  /// No more hand-outs (a stop signal or a failure).
  public private(set) var stopping = false
  private var halted = false
  public private(set) var cellsRecorded = 0

  /// `queue`: cell indices in hand-out order. `ranks`: workers `0..<ranks`.
  public init(queue: [Int], ranks: Int, liveness: Liveness, now: Double) {
    self.queue = queue
    self.liveness = liveness
    states = Array(repeating: .starting, count: ranks)
    lastHeard = Array(repeating: now, count: ranks)
    lastSent = Array(repeating: now, count: ranks)
    hosts = Array(repeating: "", count: ranks)
  }

  /// True once every worker is dismissed-and-gone or lost.
  public var isFinished: Bool { states.allSatisfy { $0 == .done || $0 == .lost } }

  /// Cells neither recorded nor running that are still to be handed out.
  public var cellsLeft: Int {
    queue[head...].filter { !recorded.contains($0) }.count
      + returned.filter { !recorded.contains($0) }.count
  }

  /// Handles one message from `rank` at time `now`.
  public mutating func receive(_ packet: Packet, from rank: Int, now: Double) -> [Action] {
    guard states.indices.contains(rank) else { return [] }
    var actions: [Action] = []
    if states[rank] == .lost || states[rank] == .done {
      // Only a late result is worth anything from a rank already given up.
      if case .result(let cell, let outcome, let seconds) = packet {
        take(cell: cell, outcome: outcome, seconds: seconds, rank: rank, into: &actions)
      }
      return actions
    }
    lastHeard[rank] = now
    switch packet {
    case .request(let host):
      hosts[rank] = host
      if case .busy(let cell) = states[rank], !stopping, !recorded.contains(cell) {
        returned.append(cell)  // abandoned without a stop: someone else trains it
      }
      if states[rank] != .dismissed { handOut(to: rank, now: now, into: &actions) }
    case .result(let cell, let outcome, let seconds):
      take(cell: cell, outcome: outcome, seconds: seconds, rank: rank, into: &actions)
      if states[rank] == .busy(cell: cell) { set(rank, .idle) }
    case .stopping:
      actions += stop(now: now, halt: true)
    case .heartbeat:
      break
    case .goodbye:
      set(rank, .done)
    case .assign, .dismiss, .halt:
      break  // coordinator-to-worker packets never come back
    }
    settle(now: now, into: &actions)
    return actions
  }

  /// No more hand-outs. With `halt`, running cells are told to stop (a stop
  /// signal); without, they finish (a failure while recording).
  public mutating func stop(now: Double, halt: Bool) -> [Action] {
    var actions: [Action] = []
    stopping = true
    if halt && !halted {
      halted = true
      for rank in states.indices {
        if case .busy = states[rank] { send(.halt, to: rank, now: now, into: &actions) }
      }
    }
    settle(now: now, into: &actions)
    return actions
  }

  /// Time passes: declares silent ranks lost (their cells go back to the
  /// queue) and sends heartbeats that are due.
  public mutating func tick(now: Double) -> [Action] {
    var actions: [Action] = []
    for rank in states.indices where states[rank] != .done && states[rank] != .lost {
      if now - lastHeard[rank] > liveness.rankTimeout {
        if case .busy(let cell) = states[rank], !recorded.contains(cell) {
          returned.append(cell)
        }
        set(rank, .lost)
        lost.append(rank)
      } else if states[rank] != .dismissed && now - lastSent[rank] >= liveness.heartbeatInterval {
        send(.heartbeat, to: rank, now: now, into: &actions)
      }
    }
    settle(now: now, into: &actions)
    return actions
  }

  /// Every state change goes through here, keeping the counts exact.
  private mutating func set(_ rank: Int, _ state: WorkerState) {
    if case .busy = states[rank] { busyCount -= 1 }
    if case .busy = state { busyCount += 1 }
    if states[rank] == .parked { parked.removeAll { $0 == rank } }
    if state == .parked { parked.append(rank) }
    states[rank] = state
  }

  private mutating func take(
    cell: Int, outcome: CellOutcome, seconds: Double, rank: Int, into actions: inout [Action]
  ) {
    guard !recorded.contains(cell) else { return }  // a second delivery of a returned cell
    recorded.insert(cell)
    cellsRecorded += 1
    actions.append(.record(cell: cell, outcome: outcome, seconds: seconds, rank: rank))
  }

  private mutating func nextCell() -> Int? {
    while let cell = returned.popLast() {
      if !recorded.contains(cell) { return cell }
    }
    while head < queue.count {
      let cell = queue[head]
      head += 1
      if !recorded.contains(cell) { return cell }
    }
    return nil
  }

  private mutating func handOut(to rank: Int, now: Double, into actions: inout [Action]) {
    if !stopping, let cell = nextCell() {
      set(rank, .busy(cell: cell))
      send(.assign(cell: cell), to: rank, now: now, into: &actions)
    } else if !stopping && busyCount > 0 {
      set(rank, .parked)
    } else {
      set(rank, .dismissed)
      send(.dismiss, to: rank, now: now, into: &actions)
    }
  }

  /// Parked workers take returned cells, or go once nothing can come back.
  private mutating func settle(now: Double, into actions: inout [Action]) {
    while let rank = parked.first, stopping || busyCount == 0 || !returned.isEmpty {
      handOut(to: rank, now: now, into: &actions)
    }
  }

  private mutating func send(
    _ packet: Packet, to rank: Int, now: Double, into actions: inout [Action]
  ) {
    lastSent[rank] = now
    actions.append(.send(packet, to: rank))
  }
}
