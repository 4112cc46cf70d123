import SweepSpec

/// Who runs what: the order in which cells are handed out. Dynamic
/// largest-first (LPT): each idle rank takes the most expensive cell left, so
/// the makespan stays within 4/3 of optimal and near max(total / R, largest).
public enum Scheduler {
  /// Cell indices by decreasing estimated cost; ties keep canonical order.
  public static func largestFirst(_ indices: [Int], cost: (Int) -> Double) -> [Int] {
    indices.map { ($0, cost($0)) }
      .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
      .map(\.0)
  }

  /// The makespan of handing `costs` (already in hand-out order) to `ranks`
  /// identical ranks, each taking the next cell when it becomes idle. Ranks
  /// beyond the cell count never work, so at most `costs.count` are kept, in a
  /// heap by finish time: O(n log min(n, ranks)).
  public static func simulatedMakespan(costs: [Double], ranks: Int) -> Double {
    var finish = MinHeap<Double>(less: <)
    for _ in 0..<min(max(ranks, 1), max(costs.count, 1)) { finish.push(0) }
    var makespan = 0.0
    for cost in costs {
      let end = finish.pop()! + cost
      makespan = max(makespan, end)
      finish.push(end)
    }
    return makespan
  }
}
