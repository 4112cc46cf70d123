/// How a grown job extends the job stored in a results file: every stored cell
/// found again, by its coordinates, among the grown job's cells.
///
/// A job grows by adding values on grid axes (tasks, widths, data sizes,
/// gammas, learning rates, batches, seeds, budgets); its finished cells keep
/// their results. Anything that changes what a finished cell means (the
/// model, non-axis training settings, record points, a removed value, a
/// changed rate of a finished cell) is refused, naming the key and both values.
/// ``JobSpec/notes`` and ``JobSpec/tags`` are not compared.
public struct JobGrowth: Equatable, Sendable {
  /// For each cell of the stored job (by index), its index in the grown job.
  public var grownIndex: [Int]
  /// Indices (in the grown job) of the cells the growth adds.
  public var addedCells: [Int]

  /// True when the grown job has exactly the stored job's cells.
  public var isEmpty: Bool { addedCells.isEmpty }
}

/// Why a job cannot grow from a stored one: `key` changed from `stored` to `given`.
public struct GrowthRefusal: Error, Equatable, Sendable, CustomStringConvertible {
  public var key: String
  public var stored: String
  public var given: String
  public var reason: String

  public var description: String {
    "\(key): stored \(stored), given \(given): \(reason)"
  }
}

extension JobSpec {
  /// The grid axes a job may extend, as they appear in the normalised job.
  private static let growableAxes = ["width", "data", "gamma", "lr", "batch", "seeds", "steps"]

  /// Checks that `self` extends `stored` and maps the stored cells into it.
  public func growth(from stored: JobSpec) throws(GrowthRefusal) -> JobGrowth {
    let old = stored.withoutMetadata.normalizedValue.members
    let new = withoutMetadata.normalizedValue.members
    let changes = "changes the meaning of finished cells"
    for key in ["schema_version", "name", "model"] {
      try Self.requireEqual(old[key], new[key], key: key, reason: changes)
    }
    // Training settings other than the rate and batch axes must not change.
    var oldTraining = old["training"]?.members ?? [:]
    var newTraining = new["training"]?.members ?? [:]
    for axis in ["lr", "batch"] {
      oldTraining[axis] = nil
      newTraining[axis] = nil
    }
    for key in Set(oldTraining.keys).union(newTraining.keys).sorted() {
      try Self.requireEqual(
        oldTraining[key], newTraining[key], key: "training.\(key)", reason: changes)
    }
    // Axes: every stored value must still be there.
    try Self.requireSubset(
      old["task"]?.items ?? [], new["task"]?.items ?? [], key: "task")
    let oldGrid = old["grid"]?.members ?? [:]
    let newGrid = new["grid"]?.members ?? [:]
    for axis in Self.growableAxes where axis != "lr" {
      let stored = axisValues(oldGrid, old["training"]?.members, axis)
      let given = axisValues(newGrid, new["training"]?.members, axis)
      try Self.requireSubset(stored, given, key: "grid.\(axis)")
    }
    // Each stored rate must give every stored cell the same value as some given rate.
    for (i, rate) in stored.grid.learningRates.enumerated() {
      let kept = grid.learningRates.contains { candidate in
        stored.grid.widths.allSatisfy { width in
          stored.grid.gammas.allSatisfy { gamma in
            candidate.value(gamma: gamma, width: width) == rate.value(gamma: gamma, width: width)
          }
        }
      }
      if !kept {
        let key = stored.grid.learningRates.count == 1 ? "training.lr" : "grid.lr[\(i)]"
        throw GrowthRefusal(
          key: key, stored: stored.normalizedRate(i).serialized,
          given: (newGrid["lr"] ?? new["training"]?.members["lr"] ?? .null).serialized,
          reason: "changes the learning rate of finished cells")
      }
    }
    let index = cellIndexByCoordinates
    var grown: [Int] = []
    grown.reserveCapacity(stored.cellCount)
    for cell in stored.cells {
      guard let i = index[cell.coordinates] else {
        throw GrowthRefusal(
          key: "grid", stored: "cell \(cell.index)", given: "no such cell",
          reason: "the grown job lacks a finished cell's coordinates")
      }
      grown.append(i)
    }
    let kept = Set(grown)
    return JobGrowth(grownIndex: grown, addedCells: cells.indices.filter { !kept.contains($0) })
  }

  private func axisValues(
    _ grid: [String: JSONValue], _ training: [String: JSONValue]?, _ axis: String
  ) -> [JSONValue] {
    if let values = grid[axis]?.items { return values }
    if let single = training?[axis] { return [single] }
    return []
  }

  func normalizedRate(_ i: Int) -> JSONValue {
    var copy = self
    copy.grid.learningRates = [grid.learningRates[i]]
    return copy.normalizedValue.members["training"]?.members["lr"] ?? .null
  }

  private static func requireEqual(_ a: JSONValue?, _ b: JSONValue?, key: String, reason: String)
    throws(GrowthRefusal)
  {
    guard a != b else { return }
    // Name the innermost differing key of two objects.
    if case .object(let x)? = a, case .object(let y)? = b {
      let left = Dictionary(x.map { ($0.key, $0.value) }, uniquingKeysWith: { f, _ in f })
      let right = Dictionary(y.map { ($0.key, $0.value) }, uniquingKeysWith: { f, _ in f })
      for member in Set(left.keys).union(right.keys).sorted() where left[member] != right[member] {
        try requireEqual(left[member], right[member], key: "\(key).\(member)", reason: reason)
      }
    }
    throw GrowthRefusal(
      key: key, stored: a?.serialized ?? "(absent)", given: b?.serialized ?? "(absent)",
      reason: reason)
  }

  private static func requireSubset(_ stored: [JSONValue], _ given: [JSONValue], key: String)
    throws(GrowthRefusal)
  {
    if let missing = stored.first(where: { !given.contains($0) }) {
      throw GrowthRefusal(
        key: key, stored: JSONValue.array(stored).serialized,
        given: JSONValue.array(given).serialized,
        reason: "removes \(missing.serialized), which finished cells use")
    }
  }
}

extension JSONValue {
  /// An object's members by key (empty for anything else).
  var members: [String: JSONValue] {
    guard case .object(let list) = self else { return [:] }
    return Dictionary(list.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
  }

  /// An array's items, nil for anything else.
  var items: [JSONValue]? {
    guard case .array(let list) = self else { return nil }
    return list
  }
}
