import SweepSpec

#if canImport(Glibc)
  import Glibc
#endif

/// Replays cell costs through the real ``Coordinator`` with virtual ranks and
/// a virtual clock: each rank asks for a cell, "trains" it for its cost, sends
/// the result and asks again; every message takes `latency` seconds.
public struct CoordinatorSimulation {
  public struct Outcome: Sendable {
    /// When the last result reached the coordinator (virtual seconds).
    public var makespan: Double
    /// max(total / ranks, largest cell): no schedule can beat it.
    public var lowerBound: Double
    public var cellsRecorded: Int
    /// Thread CPU seconds spent inside the coordinator's decisions.
    public var coordinatorCPUSeconds: Double
    public var cellsPerCPUSecond: Double { Double(cellsRecorded) / coordinatorCPUSeconds }
  }

  public var costs: [Double]
  public var ranks: Int
  public var latency: Double

  public init(costs: [Double], ranks: Int, latency: Double = 50e-6) {
    self.costs = costs
    self.ranks = ranks
    self.latency = latency
  }

  private struct Event {
    var time: Double
    var sequence: Int
    var rank: Int
    var packet: Packet
  }

  public func run() -> Outcome {
    let order = Scheduler.largestFirst(Array(costs.indices)) { costs[$0] }
    var coordinator = Coordinator(
      queue: order, ranks: ranks, liveness: Liveness(rankTimeout: .infinity), now: 0)
    var events = MinHeap<Event> { ($0.time, $0.sequence) < ($1.time, $1.sequence) }
    var sequence = 0
    func post(_ packet: Packet, from rank: Int, at time: Double) {
      events.push(Event(time: time, sequence: sequence, rank: rank, packet: packet))
      sequence += 1
    }
    for rank in 0..<ranks { post(.request(host: "virtual"), from: rank, at: latency) }
    let outcome = CellOutcome(status: .done, steps: [], trainLoss: [], testLoss: [])
    var makespan = 0.0
    var cpu = 0.0
    while let event = events.pop() {
      let before = Self.threadCPUTime
      let actions = coordinator.receive(event.packet, from: event.rank, now: event.time)
      cpu += Self.threadCPUTime - before
      for action in actions {
        switch action {
        case .send(.assign(let cell), let rank):
          let done = event.time + latency + costs[cell]
          post(
            .result(cell: cell, outcome: outcome, seconds: costs[cell]), from: rank,
            at: done + latency)
          post(.request(host: "virtual"), from: rank, at: done + latency)
        case .send(.dismiss, let rank):
          post(.goodbye, from: rank, at: event.time + 2 * latency)
        case .send:
          break
        case .record:
          makespan = max(makespan, event.time)
        }
      }
    }
    let total = costs.reduce(0, +)
    return Outcome(
      makespan: makespan, lowerBound: max(total / Double(ranks), costs.max() ?? 0),
      cellsRecorded: coordinator.cellsRecorded, coordinatorCPUSeconds: cpu)
  }

  static var threadCPUTime: Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
  }
}
