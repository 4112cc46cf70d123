import Distributed
import SweepSpec
import Testing

/// The coordinator's decisions, driven message by message with a virtual clock.
@Suite struct CoordinatorTests {
  static let outcome = CellOutcome(status: .done, steps: [1], trainLoss: [1], testLoss: [1])
  static let liveness = Liveness(rankTimeout: 10)

  /// The packets sent to each rank by `actions`.
  static func sent(_ actions: [Coordinator.Action]) -> [(Int, String)] {
    actions.compactMap {
      if case .send(let packet, let rank) = $0 { return (rank, "\(packet)") }
      return nil
    }
  }

  static func recorded(_ actions: [Coordinator.Action]) -> [Int] {
    actions.compactMap {
      if case .record(let cell, _, _, _) = $0 { return cell }
      return nil
    }
  }

  static func result(_ cell: Int) -> Packet {
    .result(cell: cell, outcome: outcome, seconds: 1)
  }

  @Test func handsOutInQueueOrderAndDismissesEveryRankOnce() {
    var c = Coordinator(queue: [2, 0, 1], ranks: 2, liveness: Self.liveness, now: 0)
    #expect(
      Self.sent(c.receive(.request(host: "a"), from: 0, now: 0)).map(\.1) == ["assign(cell: 2)"])
    #expect(
      Self.sent(c.receive(.request(host: "b"), from: 1, now: 0)).map(\.1) == ["assign(cell: 0)"])
    #expect(Self.recorded(c.receive(Self.result(2), from: 0, now: 1)) == [2])
    #expect(
      Self.sent(c.receive(.request(host: "a"), from: 0, now: 1)).map(\.1) == ["assign(cell: 1)"])
    #expect(Self.recorded(c.receive(Self.result(0), from: 1, now: 2)) == [0])
    // Rank 1 asks while rank 0 still trains: parked, not dismissed, in case a cell comes back.
    #expect(Self.sent(c.receive(.request(host: "b"), from: 1, now: 2)).isEmpty)
    // The last running cell comes back: nothing can return now, rank 1 goes.
    #expect(
      Self.sent(c.receive(Self.result(1), from: 0, now: 3)).map { "\($0.0) \($0.1)" } == [
        "1 dismiss"
      ])
    #expect(Self.sent(c.receive(.request(host: "a"), from: 0, now: 3)).map(\.1) == ["dismiss"])
    #expect(!c.isFinished)
    _ = c.receive(.goodbye, from: 0, now: 3)
    _ = c.receive(.goodbye, from: 1, now: 3)
    #expect(c.isFinished)
    #expect(c.cellsRecorded == 3)
    #expect(c.lost.isEmpty)
  }

  @Test func stopHaltsOnlyBusyRanksAndDismissesTheRest() {
    var c = Coordinator(queue: [0, 1, 2, 3], ranks: 3, liveness: Self.liveness, now: 0)
    _ = c.receive(.request(host: "h"), from: 0, now: 0)
    _ = c.receive(.request(host: "h"), from: 1, now: 0)
    let halts = Self.sent(c.stop(now: 1, halt: true))
    #expect(halts.map(\.0).sorted() == [0, 1])
    #expect(halts.allSatisfy { $0.1 == "halt" })
    // A second stop sends nothing more.
    #expect(Self.sent(c.stop(now: 1, halt: true)).isEmpty)
    // Rank 2 had not asked yet; when it does, it is dismissed, never given a cell.
    #expect(Self.sent(c.receive(.request(host: "h"), from: 2, now: 1)).map(\.1) == ["dismiss"])
    // Rank 0 finishes within the grace, rank 1 abandons (asks again without a result).
    #expect(Self.recorded(c.receive(Self.result(0), from: 0, now: 2)) == [0])
    #expect(Self.sent(c.receive(.request(host: "h"), from: 0, now: 2)).map(\.1) == ["dismiss"])
    #expect(Self.sent(c.receive(.request(host: "h"), from: 1, now: 2)).map(\.1) == ["dismiss"])
    for rank in 0..<3 { _ = c.receive(.goodbye, from: rank, now: 3) }
    #expect(c.isFinished)
    // Nothing at all after a goodbye: no halt or heartbeat to a dismissed rank.
    #expect(Self.sent(c.tick(now: 100)).isEmpty)
  }

  @Test func aWorkersStopSignalStopsEveryone() {
    var c = Coordinator(queue: [0, 1, 2], ranks: 2, liveness: Self.liveness, now: 0)
    _ = c.receive(.request(host: "h"), from: 0, now: 0)
    _ = c.receive(.request(host: "h"), from: 1, now: 0)
    let actions = Self.sent(c.receive(.stopping, from: 1, now: 1))
    #expect(c.stopping)
    #expect(actions.map(\.0).sorted() == [0, 1])
    #expect(Self.sent(c.receive(.request(host: "h"), from: 1, now: 2)).map(\.1) == ["dismiss"])
  }

  @Test func moreRanksThanCells() {
    var c = Coordinator(queue: [0, 1], ranks: 5, liveness: Self.liveness, now: 0)
    var assigned: [Int] = []
    for rank in 0..<5 {
      assigned += Self.sent(c.receive(.request(host: "h"), from: rank, now: 0))
        .filter { $0.1.hasPrefix("assign") }.map(\.0)
    }
    #expect(assigned == [0, 1])
    _ = c.receive(Self.result(0), from: 0, now: 1)
    _ = c.receive(.request(host: "h"), from: 0, now: 1)
    let end = Self.sent(c.receive(Self.result(1), from: 1, now: 1))
    #expect(end.map(\.0).sorted() == [0, 2, 3, 4])
    #expect(end.allSatisfy { $0.1 == "dismiss" })
    #expect(Self.sent(c.receive(.request(host: "h"), from: 1, now: 1)).map(\.1) == ["dismiss"])
    for rank in 0..<5 { _ = c.receive(.goodbye, from: rank, now: 2) }
    #expect(c.isFinished)
  }

  @Test func aSilentRankIsLostAndItsCellGoesToAnotherRank() {
    var c = Coordinator(queue: [0, 1], ranks: 2, liveness: Self.liveness, now: 0)
    _ = c.receive(.request(host: "alpha"), from: 0, now: 0)
    _ = c.receive(.request(host: "beta"), from: 1, now: 0)
    _ = c.receive(Self.result(0), from: 0, now: 1)
    _ = c.receive(.request(host: "alpha"), from: 0, now: 1)  // parked
    // Rank 0 keeps sending heartbeats; rank 1 falls silent.
    _ = c.receive(.heartbeat, from: 1, now: 0.5)
    for t in stride(from: 2.0, through: 10, by: 2) { _ = c.receive(.heartbeat, from: 0, now: t) }
    let beats = Self.sent(c.tick(now: 10.5))
    #expect(beats.map(\.0).sorted() == [0, 1])
    #expect(beats.allSatisfy { $0.1 == "heartbeat" })
    #expect(c.lost.isEmpty)
    let actions = Self.sent(c.tick(now: 10.6))
    #expect(c.lost == [1])
    #expect(c.hosts[1] == "beta")
    #expect(actions.map { "\($0.0) \($0.1)" } == ["0 assign(cell: 1)"])
    _ = c.receive(Self.result(1), from: 0, now: 12)
    #expect(Self.sent(c.receive(.request(host: "alpha"), from: 0, now: 12)).map(\.1) == ["dismiss"])
    _ = c.receive(.goodbye, from: 0, now: 12)
    #expect(c.isFinished)
    // Nothing is ever sent to the lost rank again.
    #expect(Self.sent(c.tick(now: 50)).isEmpty)
  }

  @Test func aLateResultFromALostRankIsRecordedOnceAndNeverAssignsIt() {
    var c = Coordinator(queue: [0, 1, 2], ranks: 2, liveness: Self.liveness, now: 0)
    _ = c.receive(.request(host: "h"), from: 0, now: 0)  // cell 0
    _ = c.receive(.request(host: "h"), from: 1, now: 0)  // cell 1
    _ = c.receive(.heartbeat, from: 0, now: 9)
    _ = c.tick(now: 11)
    #expect(c.lost == [1])
    // Rank 0 finishes cell 0 and is given the returned cell 1 before cell 2.
    _ = c.receive(Self.result(0), from: 0, now: 12)
    #expect(
      Self.sent(c.receive(.request(host: "h"), from: 0, now: 12)).map(\.1) == ["assign(cell: 1)"])
    // The lost rank's late result is kept (first delivery wins) ...
    #expect(Self.recorded(c.receive(Self.result(1), from: 1, now: 13)) == [1])
    // ... its request is ignored ...
    #expect(Self.sent(c.receive(.request(host: "h"), from: 1, now: 13)).isEmpty)
    // ... and rank 0's copy of cell 1 is not recorded twice.
    #expect(Self.recorded(c.receive(Self.result(1), from: 0, now: 14)).isEmpty)
    #expect(
      Self.sent(c.receive(.request(host: "h"), from: 0, now: 14)).map(\.1) == ["assign(cell: 2)"])
    _ = c.receive(Self.result(2), from: 0, now: 15)
    _ = c.receive(.request(host: "h"), from: 0, now: 15)
    _ = c.receive(.goodbye, from: 0, now: 15)
    #expect(c.isFinished)
    #expect(c.cellsRecorded == 3)
  }

  @Test func aRankThatNeverAsksIsLostToo() {
    var c = Coordinator(queue: [0], ranks: 2, liveness: Self.liveness, now: 0)
    _ = c.receive(.request(host: "h"), from: 0, now: 0)
    _ = c.receive(Self.result(0), from: 0, now: 1)
    _ = c.receive(.request(host: "h"), from: 0, now: 1)
    _ = c.receive(.goodbye, from: 0, now: 1)
    #expect(!c.isFinished)
    _ = c.tick(now: 10.5)
    #expect(c.lost == [1])
    #expect(c.isFinished)
  }
}
