import Foundation

extension JobSpec {
  /// Largest number of cells one job may hold.
  public static let maximumCells = 1_000_000

  /// Reads and validates a job file.
  public static func load(path: String) throws(JobSpecError) -> JobSpec {
    let text: String
    do {
      text = try String(contentsOfFile: path, encoding: .utf8)
    } catch {
      var isDirectory: ObjCBool = false
      let reason: String
      if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
        reason = "no such file"
      } else if isDirectory.boolValue {
        reason = "is a directory"
      } else {
        reason = "not readable UTF-8 text"
      }
      throw .unreadable(file: path, reason: reason)
    }
    return try parse(text, file: path)
  }

  /// Parses and validates job-file text; `file` names the source in errors.
  public static func parse(_ text: String, file: String) throws(JobSpecError) -> JobSpec {
    let root: JSONValue
    do {
      root = try JSONParser.parse(text)
    } catch {
      throw .syntax(file: file, line: error.line, column: error.column, message: error.message)
    }
    return try JobReader(file: file).job(from: root)
  }
}

/// Walks a parsed job document, checking each key against the schema.
struct JobReader {
  let file: String

  func job(from root: JSONValue) throws(JobSpecError) -> JobSpec {
    var top = try ObjectReader(
      root, key: "", file: file,
      allowed: ["schema_version", "name", "model", "task", "grid", "training"])
    if let version = top.take("schema_version") {
      _ = try integer(version, key: "schema_version", in: 1...JobSpec.schemaVersion)
    }
    let name = try string(top.require("name", expected: "a job name"), key: "name")
    let model = try model(top.require("model", expected: "an object with \"kind\""))
    let circle: Bool
    if case .mlpCircle = model { circle = true } else { circle = false }
    let tasks = try tasks(
      top.require(
        "task",
        expected: circle
          ? "an object with \"q\" or \"beta\"" : "an object with \"alpha\" and \"beta\""),
      circle: circle)
    let grid = try grid(top.require("grid", expected: "an object with \"width\" and \"steps\""))
    if circle {
      try checkRichness(grid.gammas, given: top.take("grid"))
    }
    let training = try training(
      top.require("training", expected: "an object with \"lr\""), gammas: grid.gammas)

    if case .projectedFeatures(let features) = model, let widest = grid.widths.max(),
      features <= widest
    {
      throw .invalidValue(
        file: file, key: "model.features", value: String(features),
        expected: "more features than the largest width (\(widest)); 4 to 16 times is typical")
    }
    let cells = [
      tasks.count, grid.widths.count, grid.data.count, grid.gammas.count,
      grid.seeds.count, grid.steps.count,
    ].reduce(1.0) { $0 * Double($1) }
    if cells > Double(JobSpec.maximumCells) {
      throw .tooLarge(
        file: file, key: "grid",
        message: "\(Int(cells)) cells, more than the \(JobSpec.maximumCells) one job may hold")
    }
    return JobSpec(name: name, model: model, tasks: tasks, grid: grid, training: training)
  }

  // MARK: Sections

  private static let modelKinds = ["projected-features", "mlp-circle"]

  private func model(_ value: JSONValue) throws(JobSpecError) -> ModelSpec {
    // The allowed keys depend on the kind, so look at it before checking keys.
    var kindValue: JSONValue?
    if case .object(let members) = value {
      kindValue = members.first(where: { $0.key == "kind" })?.value
    }
    let allowed: [String]
    switch kindValue {
    case .string("projected-features")?: allowed = ["kind", "features"]
    case .string("mlp-circle")?: allowed = ["kind", "depth", "test_points", "modes"]
    default: allowed = ["kind", "features", "depth", "test_points", "modes"]
    }
    var object = try ObjectReader(value, key: "model", file: file, allowed: allowed)
    let kind = try string(
      object.require("kind", expected: "\"projected-features\" or \"mlp-circle\""),
      key: "model.kind")
    switch kind {
    case "projected-features":
      let features =
        try object.take("features").map { v throws(JobSpecError) in
          try integer(v, key: "model.features", in: 2...4_194_304)
        } ?? 4096
      return .projectedFeatures(features: features)
    case "mlp-circle":
      let depth = try integer(
        object.require("depth", expected: "the number of weight layers, at least 3"),
        key: "model.depth", in: 3...64)
      let modes =
        try object.take("modes").map { v throws(JobSpecError) in
          try integer(v, key: "model.modes", in: 1...65_536)
        } ?? MLPCircleSpec.defaultModes
      let testPoints =
        try object.take("test_points").map { v throws(JobSpecError) in
          try integer(v, key: "model.test_points", in: 3...1_048_576)
        } ?? MLPCircleSpec.defaultTestPoints
      if testPoints <= 2 * modes {
        throw .invalidValue(
          file: file, key: "model.test_points", value: String(testPoints),
          expected: "more than 2 x model.modes (\(2 * modes)) so the test grid resolves the target")
      }
      return .mlpCircle(MLPCircleSpec(depth: depth, testPoints: testPoints, modes: modes))
    default:
      let hint =
        closestKey(to: kind, in: Self.modelKinds).map { " (did you mean \"\($0)\"?)" } ?? ""
      throw .invalidValue(
        file: file, key: "model.kind", value: "\"\(kind)\"",
        expected: "\"projected-features\" or \"mlp-circle\"\(hint)")
    }
  }

  /// `mlp-circle` has no `gamma0 = 0` (the output is divided by `gamma0`).
  private func checkRichness(_ gammas: [Double], given grid: JSONValue?) throws(JobSpecError) {
    var explicit = false
    if case .object(let members)? = grid {
      explicit = members.contains { $0.key == "gamma" }
    }
    guard explicit else {
      throw .missingKey(
        file: file, key: "grid.gamma",
        expected:
          "gamma0 values above 0 for mlp-circle (a small value such as 0.01 is the lazy limit)")
    }
    if let i = gammas.firstIndex(where: { $0 <= 0 }) {
      throw .invalidValue(
        file: file, key: "grid.gamma[\(i)]", value: JSONValue.format(gammas[i]),
        expected:
          "gamma0 above 0 for mlp-circle (the output is divided by gamma0; use e.g. 0.01 for lazy)")
    }
  }

  private func tasks(_ value: JSONValue, circle: Bool) throws(JobSpecError) -> [TaskSpec] {
    switch value {
    case .object:
      return [try task(value, key: "task", circle: circle)]
    case .array(let items):
      guard !items.isEmpty else {
        throw .invalidValue(file: file, key: "task", value: "[]", expected: "at least one task")
      }
      var out: [TaskSpec] = []
      for (i, item) in items.enumerated() {
        let t = try task(item, key: "task[\(i)]", circle: circle)
        if out.contains(t) {
          throw .invalidValue(
            file: file, key: "task[\(i)]", value: "a repeated task", expected: "distinct tasks")
        }
        out.append(t)
      }
      return out
    default:
      throw .invalidValue(
        file: file, key: "task", value: value.brief, expected: "an object or an array of objects")
    }
  }

  private func task(_ value: JSONValue, key: String, circle: Bool) throws(JobSpecError) -> TaskSpec
  {
    if circle { return try circleTask(value, key: key) }
    var object = try ObjectReader(value, key: key, file: file, allowed: ["alpha", "beta"])
    let alpha = try number(
      object.require("alpha", expected: "a number above 1"), key: "\(key).alpha",
      above: 1, atMost: 16)
    let beta = try number(
      object.require("beta", expected: "a number above 0"), key: "\(key).beta",
      above: 0, atMost: 16)
    return TaskSpec(alpha: alpha, beta: beta)
  }

  /// `{"q": Q}` or `{"beta": B}`; `beta` becomes `q = (2 beta + 1) / 2` (nominal alpha 2),
  /// and `q` is what is stored, so the normalised job reads back to the same task.
  private func circleTask(_ value: JSONValue, key: String) throws(JobSpecError) -> TaskSpec {
    var object = try ObjectReader(value, key: key, file: file, allowed: ["q", "beta"])
    let q = object.take("q")
    let beta = object.take("beta")
    switch (q, beta) {
    case (let q?, nil):
      return TaskSpec(
        fourierDecay: try number(q, key: "\(key).q", above: 0.5, atMost: 16))
    case (nil, let beta?):
      let b = try number(beta, key: "\(key).beta", above: 0, atMost: 15)
      return TaskSpec(fourierDecay: TaskSpec.fourierDecay(beta: b))
    case (_?, _?):
      throw .invalidValue(
        file: file, key: "\(key).beta", value: "both \"q\" and \"beta\"",
        expected: "one of them (beta = (2q - 1)/2 for the ReLU NTK on the circle)")
    case (nil, nil):
      throw .missingKey(
        file: file, key: "\(key).q",
        expected: "the target's Fourier decay \"q\" (or its source exponent \"beta\")")
    }
  }

  private func grid(_ value: JSONValue) throws(JobSpecError) -> GridSpec {
    var object = try ObjectReader(
      value, key: "grid", file: file, allowed: ["width", "data", "gamma", "seeds", "steps"])
    let widths = try distinctIntegers(
      object.require("width", expected: "a list of widths"), key: "grid.width", in: 1...65_536)
    let data: [DataSize]
    if let v = object.take("data") {
      data = try dataSizes(v)
    } else {
      data = [.online]
    }
    let gammas: [Double]
    if let v = object.take("gamma") {
      gammas = try distinctNumbers(v, key: "grid.gamma", atLeast: 0, atMost: 10_000)
    } else {
      gammas = [0]
    }
    let seeds: [Int]
    if let v = object.take("seeds") {
      if case .integer(let n) = v {
        guard (1...100_000).contains(n) else {
          throw .invalidValue(
            file: file, key: "grid.seeds", value: String(n),
            expected: "a seed count from 1 to 100000, or a list of seeds")
        }
        seeds = Array(0..<n)
      } else {
        seeds = try distinctIntegers(v, key: "grid.seeds", in: 0...Int(Int32.max))
      }
    } else {
      seeds = [0]
    }
    let steps = try distinctIntegers(
      object.require("steps", expected: "a list of step budgets"), key: "grid.steps",
      in: 1...1_000_000_000)
    return GridSpec(widths: widths, data: data, gammas: gammas, seeds: seeds, steps: steps)
  }

  private func dataSizes(_ value: JSONValue) throws(JobSpecError) -> [DataSize] {
    let items = try list(value, key: "grid.data", expected: "a list of data sizes or \"online\"")
    var out: [DataSize] = []
    for (i, item) in items.enumerated() {
      let key = "grid.data[\(i)]"
      let size: DataSize
      switch item {
      case .string("online"): size = .online
      case .integer(let p) where (1...100_000_000).contains(p): size = .finite(p)
      default:
        throw .invalidValue(
          file: file, key: key, value: item.brief,
          expected: "\"online\" or a data set size from 1 to 100000000")
      }
      if out.contains(size) {
        throw .invalidValue(file: file, key: key, value: item.brief, expected: "distinct values")
      }
      out.append(size)
    }
    return out
  }

  private func training(_ value: JSONValue, gammas: [Double]) throws(JobSpecError) -> TrainingSpec {
    var object = try ObjectReader(
      value, key: "training", file: file, allowed: ["batch", "lr", "record_points"])
    let batch =
      try object.take("batch").map { v throws(JobSpecError) in
        try integer(v, key: "training.batch", in: 1...65_536)
      } ?? 32
    let recordPoints =
      try object.take("record_points").map { v throws(JobSpecError) in
        try integer(v, key: "training.record_points", in: 2...10_000)
      } ?? 30
    let lrValue = try object.require(
      "lr", expected: "a learning rate, or an object mapping each gamma to one")
    let learningRate: LearningRate
    switch lrValue {
    case .object(let members):
      var table: [Double: Double] = [:]
      for member in members {
        let key = "training.lr.\(member.key)"
        guard let gamma = Double(member.key), gamma.isFinite else {
          throw .invalidValue(
            file: file, key: key, value: "key \"\(member.key)\"",
            expected: "a gamma value from grid.gamma as the key")
        }
        guard gammas.contains(gamma) else {
          throw .invalidValue(
            file: file, key: key, value: "gamma \(member.key)",
            expected: "one of grid.gamma \(gammas.map { JSONValue.format($0) })")
        }
        table[gamma] = try number(member.value, key: key, above: 0, atMost: 1000)
      }
      if let missing = gammas.first(where: { table[$0] == nil }) {
        throw .missingKey(
          file: file, key: "training.lr.\(JSONValue.format(missing))",
          expected: "a learning rate for every gamma of the grid")
      }
      learningRate = .perGamma(table)
    default:
      learningRate = .constant(try number(lrValue, key: "training.lr", above: 0, atMost: 1000))
    }
    return TrainingSpec(batch: batch, learningRate: learningRate, recordPoints: recordPoints)
  }

  // MARK: Scalars

  private func string(_ value: JSONValue, key: String) throws(JobSpecError) -> String {
    guard case .string(let s) = value, !s.isEmpty, s.count <= 256 else {
      throw .invalidValue(
        file: file, key: key, value: value.brief,
        expected: "a non-empty string of at most 256 characters")
    }
    return s
  }

  private func integer(_ value: JSONValue, key: String, in range: ClosedRange<Int>)
    throws(JobSpecError) -> Int
  {
    var result: Int?
    switch value {
    case .integer(let i): result = i
    case .number(let d) where d == d.rounded() && abs(d) < 1e15: result = Int(d)
    default: result = nil
    }
    guard let i = result else {
      throw .invalidValue(
        file: file, key: key, value: value.brief,
        expected: "an integer from \(range.lowerBound) to \(range.upperBound)")
    }
    guard range.contains(i) else {
      let expected =
        range.lowerBound == range.upperBound
        ? String(range.lowerBound) : "an integer from \(range.lowerBound) to \(range.upperBound)"
      throw .invalidValue(file: file, key: key, value: String(i), expected: expected)
    }
    return i
  }

  private func number(
    _ value: JSONValue, key: String, above lower: Double, atMost upper: Double
  ) throws(JobSpecError) -> Double {
    let d: Double
    switch value {
    case .integer(let i): d = Double(i)
    case .number(let x): d = x
    default:
      throw .invalidValue(
        file: file, key: key, value: value.brief,
        expected: "a number above \(JSONValue.format(lower)) and at most \(JSONValue.format(upper))"
      )
    }
    guard d > lower, d <= upper else {
      throw .invalidValue(
        file: file, key: key, value: value.brief,
        expected: "a number above \(JSONValue.format(lower)) and at most \(JSONValue.format(upper))"
      )
    }
    return d
  }

  private func list(_ value: JSONValue, key: String, expected: String) throws(JobSpecError)
    -> [JSONValue]
  {
    switch value {
    case .array(let items):
      guard !items.isEmpty else {
        throw .invalidValue(file: file, key: key, value: "[]", expected: "a non-empty list")
      }
      return items
    case .integer, .number, .string:
      return [value]  // a single value stands for a one-element axis
    default:
      throw .invalidValue(file: file, key: key, value: value.brief, expected: expected)
    }
  }

  private func distinctIntegers(_ value: JSONValue, key: String, in range: ClosedRange<Int>)
    throws(JobSpecError) -> [Int]
  {
    let items = try list(value, key: key, expected: "a list of integers")
    var out: [Int] = []
    for (i, item) in items.enumerated() {
      let v = try integer(item, key: "\(key)[\(i)]", in: range)
      if out.contains(v) {
        throw .invalidValue(
          file: file, key: "\(key)[\(i)]", value: String(v), expected: "distinct values")
      }
      out.append(v)
    }
    return out
  }

  private func distinctNumbers(
    _ value: JSONValue, key: String, atLeast lower: Double, atMost upper: Double
  ) throws(JobSpecError) -> [Double] {
    let items = try list(value, key: key, expected: "a list of numbers")
    var out: [Double] = []
    for (i, item) in items.enumerated() {
      let itemKey = "\(key)[\(i)]"
      let d: Double
      switch item {
      case .integer(let n): d = Double(n)
      case .number(let x): d = x
      default:
        throw .invalidValue(file: file, key: itemKey, value: item.brief, expected: "a number")
      }
      guard d >= lower, d <= upper else {
        throw .invalidValue(
          file: file, key: itemKey, value: item.brief,
          expected: "a number from \(JSONValue.format(lower)) to \(JSONValue.format(upper))")
      }
      if out.contains(d) {
        throw .invalidValue(
          file: file, key: itemKey, value: item.brief, expected: "distinct values")
      }
      out.append(d)
    }
    return out
  }
}

/// Reads the members of one JSON object whose keys were checked against the schema.
struct ObjectReader {
  private let members: [(key: String, value: JSONValue)]
  private let path: String
  private let file: String

  /// Rejects any member not in `allowed` before a single value is read, so a
  /// misspelt key is reported as such rather than as a missing one.
  init(_ value: JSONValue, key: String, file: String, allowed: [String]) throws(JobSpecError) {
    guard case .object(let members) = value else {
      throw .invalidValue(
        file: file, key: key.isEmpty ? "(top level)" : key, value: value.brief,
        expected: "an object")
    }
    self.members = members
    self.path = key
    self.file = file
    for member in members where !allowed.contains(member.key) {
      throw .unknownKey(
        file: file, key: fullKey(member.key), suggestion: closestKey(to: member.key, in: allowed))
    }
  }

  private func fullKey(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

  mutating func take(_ key: String) -> JSONValue? {
    guard let member = members.first(where: { $0.key == key }) else { return nil }
    return member.value
  }

  mutating func require(_ key: String, expected: String) throws(JobSpecError) -> JSONValue {
    guard let value = take(key) else {
      throw .missingKey(file: file, key: fullKey(key), expected: expected)
    }
    return value
  }
}
