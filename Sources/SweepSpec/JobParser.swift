import Foundation

extension JobSpec {
  /// Largest number of cells one job may hold.
  public static let maximumCells = 1_000_000

  /// Reads and validates a job file.
  public static func load(path: String) throws(JobSpecError) -> JobSpec {
    try parse(readText(path: path), file: path)
  }

  /// The text of a job file, or an error saying why it cannot be read.
  static func readText(path: String) throws(JobSpecError) -> String {
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
    return text
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
      allowed: ["schema_version", "name", "notes", "tags", "model", "task", "grid", "training"])
    if let version = top.take("schema_version") {
      _ = try integer(version, key: "schema_version", in: 1...JobSpec.schemaVersion)
    }
    let name = try string(top.require("name", expected: "a job name"), key: "name")
    let notes = try top.take("notes").map { v throws(JobSpecError) in try notesText(v) }
    let tags = try top.take("tags").map { v throws(JobSpecError) in try tagList(v) } ?? []
    let modelValue = try top.require("model", expected: "an object with \"kind\"")
    var model = try self.model(modelValue)
    let circle: Bool
    if case .mlpCircle = model { circle = true } else { circle = false }
    let command: Bool
    if case .command = model { command = true } else { command = false }
    let tasks: [TaskSpec]
    if command {
      tasks = try commandTasks(top.require("task", expected: "an object (or a list of objects)"))
    } else {
      tasks = try self.tasks(
        top.require(
          "task",
          expected: circle
            ? "an object with \"q\" or \"beta\"" : "an object with \"alpha\" and \"beta\""),
        circle: circle)
    }
    let gridValue = try top.require("grid", expected: "an object with \"width\" and \"steps\"")
    // A command job may leave out `training` (and its lr and batch) altogether.
    let trainingValue =
      command
      ? (top.take("training") ?? .object([]))
      : try top.require("training", expected: "an object with \"lr\"")
    var grid = try grid(gridValue)
    if circle {
      try checkRichness(grid.gammas, given: gridValue)
    }
    let training = try self.training(
      trainingValue, grid: &grid, gridValue: gridValue, optional: command)
    if case .command(let spec) = model {
      model = .command(try finishCommand(spec, raw: modelValue, tasks: tasks, grid: grid))
    }
    if case .projectedFeatures(let features) = model, let widest = grid.widths.max(),
      features <= widest
    {
      throw .invalidValue(
        file: file, key: "model.features", value: String(features),
        expected: "more features than the largest width (\(widest)); 4 to 16 times is typical")
    }
    let cells = [
      tasks.count, grid.widths.count, grid.data.count, grid.gammas.count,
      grid.learningRates.count, grid.batches.count, grid.seeds.count, grid.steps.count,
    ].reduce(1.0) { $0 * Double($1) }
    if cells > Double(JobSpec.maximumCells) {
      throw .tooLarge(
        file: file, key: "grid",
        message: "\(Int(cells)) cells, more than the \(JobSpec.maximumCells) one job may hold")
    }
    try checkSchedule(training.schedule, budgets: grid.steps)
    return JobSpec(
      name: name, model: model, tasks: tasks, grid: grid, training: training, notes: notes,
      tags: tags)
  }

  // MARK: Sections

  private static let modelKinds = ["projected-features", "mlp-circle", "command"]

  private func model(_ value: JSONValue) throws(JobSpecError) -> ModelSpec {
    // The allowed keys depend on the kind, so look at it before checking keys.
    var kindValue: JSONValue?
    if case .object(let members) = value {
      kindValue = members.first(where: { $0.key == "kind" })?.value
    }
    let allowed: [String]
    switch kindValue {
    case .string("projected-features")?: allowed = ["kind", "features"]
    case .string("mlp-circle")?: allowed = ["kind", "depth", "test_points", "modes", "activation"]
    case .string("command")?: allowed = Self.commandKeys
    default:
      allowed =
        ["kind", "features", "depth", "test_points", "modes", "activation"] + Self.commandKeys
    }
    var object = try ObjectReader(value, key: "model", file: file, allowed: allowed)
    let kind = try string(
      object.require(
        "kind", expected: "\"projected-features\", \"mlp-circle\" or \"command\""),
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
      let activation =
        try object.take("activation").map { v throws(JobSpecError) in try self.activation(v) }
        ?? .relu
      return .mlpCircle(
        MLPCircleSpec(depth: depth, testPoints: testPoints, modes: modes, activation: activation))
    case "command":
      return .command(try commandModel(&object))
    default:
      let hint =
        closestKey(to: kind, in: Self.modelKinds).map { " (did you mean \"\($0)\"?)" } ?? ""
      throw .invalidValue(
        file: file, key: "model.kind", value: "\"\(kind)\"",
        expected: "\"projected-features\", \"mlp-circle\" or \"command\"\(hint)")
    }
  }

  private static let commandKeys = [
    "kind", "argv", "env", "timeout", "cost", "flops_per_step", "devices_per_rank",
  ]

  /// The parts of a `command` model that need nothing else of the job;
  /// placeholders and expressions are checked by ``finishCommand``.
  private func commandModel(_ object: inout ObjectReader) throws(JobSpecError) -> CommandSpec {
    let argvExpected = "the program and its arguments, a non-empty list of strings"
    let argvValue = try object.require("argv", expected: argvExpected)
    guard case .array(let items) = argvValue else {
      throw .invalidValue(
        file: file, key: "model.argv", value: argvValue.brief, expected: argvExpected)
    }
    guard !items.isEmpty else {
      throw .invalidValue(file: file, key: "model.argv", value: "[]", expected: argvExpected)
    }
    var argv: [String] = []
    for (i, item) in items.enumerated() {
      guard case .string(let word) = item, i > 0 || !word.isEmpty else {
        throw .invalidValue(
          file: file, key: "model.argv[\(i)]", value: item.brief,
          expected: i == 0 ? "the program to run, a non-empty string" : "a string")
      }
      argv.append(word)
    }
    var environment: [String: String] = [:]
    if let env = object.take("env") {
      guard case .object(let members) = env else {
        throw .invalidValue(
          file: file, key: "model.env", value: env.brief,
          expected: "an object of variable names to string values")
      }
      for member in members {
        let key = "model.env.\(member.key)"
        guard !member.key.isEmpty, !member.key.contains("="), !member.key.contains("\0") else {
          throw .invalidValue(
            file: file, key: key, value: "\"\(member.key)\"",
            expected: "a variable name without '='")
        }
        guard case .string(let text) = member.value else {
          throw .invalidValue(
            file: file, key: key, value: member.value.brief, expected: "a string value")
        }
        environment[member.key] = text
      }
    }
    let timeout = try object.take("timeout").map { v throws(JobSpecError) in
      try number(v, key: "model.timeout", above: 0, atMost: 31_536_000)
    }
    let devices =
      try object.take("devices_per_rank").map { v throws(JobSpecError) in
        try integer(v, key: "model.devices_per_rank", in: 0...1024)
      } ?? 0
    return CommandSpec(
      argv: argv, environment: environment, timeout: timeout, devicesPerRank: devices)
  }

  /// A `command` job's tasks: any JSON objects, handed to the program as is.
  private func commandTasks(_ value: JSONValue) throws(JobSpecError) -> [TaskSpec] {
    let items: [(String, JSONValue)]
    switch value {
    case .object: items = [("task", value)]
    case .array(let list) where !list.isEmpty:
      items = list.enumerated().map { ("task[\($0.offset)]", $0.element) }
    default:
      throw .invalidValue(
        file: file, key: "task", value: value.brief,
        expected: "an object or a non-empty list of objects")
    }
    var out: [TaskSpec] = []
    for (key, item) in items {
      guard case .object = item else {
        throw .invalidValue(file: file, key: key, value: item.brief, expected: "an object")
      }
      let task = TaskSpec(parameters: item)
      if out.contains(task) {
        throw .invalidValue(
          file: file, key: key, value: "a repeated task", expected: "distinct tasks")
      }
      out.append(task)
    }
    return out
  }

  /// Checks every placeholder of a `command` model against what the job
  /// defines, and parses its `cost` and `flops_per_step` expressions.
  private func finishCommand(
    _ spec: CommandSpec, raw: JSONValue, tasks: [TaskSpec], grid: GridSpec
  ) throws(JobSpecError) -> CommandSpec {
    // Keys present in every task (so `{task.KEY}` expands for every cell),
    // and those that are numbers in every task (for expressions).
    var keyed: [Set<String>] = []
    var numeric: [Set<String>] = []
    for task in tasks {
      guard case .object(let members)? = task.parameters else { continue }
      keyed.append(Set(members.map(\.key)))
      numeric.append(
        Set(
          members.compactMap {
            switch $0.value {
            case .integer, .number: return $0.key
            default: return nil
            }
          }))
    }
    let taskKeys = keyed.dropFirst().reduce(keyed.first ?? []) { $0.intersection($1) }
    let numericTaskKeys = numeric.dropFirst().reduce(numeric.first ?? []) { $0.intersection($1) }
    var missing: [String: String] = [:]
    if grid.batches == [0] { missing["batch"] = "training.batch" }
    if grid.learningRates == [.constant(0)] { missing["lr"] = "training.lr" }

    func checkTemplate(_ text: String, key: String) throws(JobSpecError) {
      let names: [String]
      do {
        names = try PlaceholderTemplate.names(in: text)
      } catch {
        throw .invalidValue(
          file: file, key: key, value: "\"\(text)\"",
          expected: "valid placeholders: \(error.message)")
      }
      for name in names {
        if name.hasPrefix("task.") {
          let taskKey = String(name.dropFirst(5))
          guard taskKeys.contains(taskKey) else {
            throw .invalidValue(
              file: file, key: key, value: "placeholder {\(name)}",
              expected: "a key every task object has (\(taskKeys.sorted().joined(separator: ", ")))"
            )
          }
          continue
        }
        guard CommandSpec.placeholderNames.contains(name) else {
          throw .invalidValue(
            file: file, key: key, value: "unknown placeholder {\(name)}",
            expected:
              "one of \(CommandSpec.placeholderNames.sorted().map { "{\($0)}" }.joined(separator: " ")) or {task.KEY}"
          )
        }
        if let needed = missing[name] {
          throw .invalidValue(
            file: file, key: key, value: "placeholder {\(name)}",
            expected: "\(needed) to be set in the job")
        }
      }
    }
    for (i, word) in spec.argv.enumerated() {
      try checkTemplate(word, key: "model.argv[\(i)]")
    }
    for (name, value) in spec.environment.sorted(by: { $0.key < $1.key }) {
      try checkTemplate(value, key: "model.env.\(name)")
    }

    var names = CommandSpec.coordinateNames
    for name in missing.keys { names.remove(name) }
    var object = try ObjectReader(raw, key: "model", file: file, allowed: Self.commandKeys)
    func expression(_ key: String, needsCoordinate: Bool) throws(JobSpecError)
      -> ArithmeticExpression?
    {
      guard let value = object.take(key) else { return nil }
      guard case .string(let text) = value, !text.isEmpty else {
        throw .invalidValue(
          file: file, key: "model.\(key)", value: value.brief,
          expected: "an arithmetic expression as a string, e.g. \"width * width * steps\"")
      }
      let parsed: ArithmeticExpression
      do {
        parsed = try ArithmeticExpression(text, names: names, taskKeys: numericTaskKeys)
      } catch {
        throw .invalidValue(
          file: file, key: "model.\(key)", value: "\"\(text)\"",
          expected: "an expression over the cell's coordinates (\(error.message))")
      }
      if needsCoordinate && parsed.names.isEmpty {
        throw .invalidValue(
          file: file, key: "model.\(key)", value: "\"\(text)\"",
          expected:
            "an expression naming at least one coordinate (\(names.sorted().joined(separator: ", ")))"
        )
      }
      return parsed
    }
    var out = spec
    out.cost = try expression("cost", needsCoordinate: true)
    out.flopsPerStep = try expression("flops_per_step", needsCoordinate: false)
    return out
  }

  /// `"relu"` or `{"relu_power": p}` with `1 <= p <= 8`.
  private func activation(_ value: JSONValue) throws(JobSpecError) -> MLPActivation {
    let expected = "\"relu\" or {\"relu_power\": p} with p from 1 to 8"
    switch value {
    case .string("relu"): return .relu
    case .object:
      var object = try ObjectReader(
        value, key: "model.activation", file: file, allowed: ["relu_power"])
      let p = try closedNumber(
        object.require("relu_power", expected: "the power p, from 1 to 8"),
        key: "model.activation.relu_power", from: 1, to: 8)
      return MLPActivation(power: p)
    default:
      throw .invalidValue(
        file: file, key: "model.activation", value: value.brief, expected: expected)
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
    var object = try ObjectReader(value, key: key, file: file, allowed: ["q", "beta", "phases"])
    let q = object.take("q")
    let beta = object.take("beta")
    var phases = TargetPhases.random
    if let v = object.take("phases") {
      guard case .string(let s) = v, let p = TargetPhases(rawValue: s) else {
        throw .invalidValue(
          file: file, key: "\(key).phases", value: v.brief,
          expected: "\"random\" (drawn per seed) or \"zero\"")
      }
      phases = p
    }
    switch (q, beta) {
    case (let q?, nil):
      return TaskSpec(
        fourierDecay: try number(q, key: "\(key).q", above: 0.5, atMost: 16), phases: phases)
    case (nil, let beta?):
      let b = try number(beta, key: "\(key).beta", above: 0, atMost: 15)
      return TaskSpec(fourierDecay: TaskSpec.fourierDecay(beta: b), phases: phases)
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
      value, key: "grid", file: file,
      allowed: ["width", "data", "gamma", "lr", "batch", "seeds", "steps"])
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
    // The rate and batch axes are read with `training` (one of the two places gives them).
    return GridSpec(
      widths: widths, data: data, gammas: gammas, seeds: seeds, steps: steps, learningRates: [],
      batches: [])
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

  /// Reads `training`, and the learning-rate and batch axes from `grid.lr` /
  /// `grid.batch` or `training.lr` / `training.batch` (one place each) into `grid`.
  /// `optional`: a `command` job may leave out the rate and the batch (its
  /// cells then hold 0 for them, never a valid value: no defaults are passed on).
  private func training(
    _ value: JSONValue, grid: inout GridSpec, gridValue: JSONValue, optional: Bool = false
  ) throws(JobSpecError) -> TrainingSpec {
    var object = try ObjectReader(
      value, key: "training", file: file, allowed: ["batch", "lr", "schedule", "record_points"])
    var gridObject = try ObjectReader(
      gridValue, key: "grid", file: file,
      allowed: ["width", "data", "gamma", "lr", "batch", "seeds", "steps"])
    let recordPoints =
      try object.take("record_points").map { v throws(JobSpecError) in
        try integer(v, key: "training.record_points", in: 2...10_000)
      } ?? 30
    let schedule =
      try object.take("schedule").map { v throws(JobSpecError) in try self.schedule(v) }
      ?? .constant

    switch (gridObject.take("batch"), object.take("batch")) {
    case (_?, _?):
      throw .invalidValue(
        file: file, key: "grid.batch", value: "both grid.batch and training.batch",
        expected: "one of them (grid.batch for several values, training.batch for one)")
    case (let axis?, nil):
      grid.batches = try distinctIntegers(axis, key: "grid.batch", in: 1...65_536)
    case (nil, let single?):
      grid.batches = [try integer(single, key: "training.batch", in: 1...65_536)]
    case (nil, nil):
      grid.batches = [optional ? 0 : 32]
    }

    switch (gridObject.take("lr"), object.take("lr")) {
    case (_?, _?):
      throw .invalidValue(
        file: file, key: "grid.lr", value: "both grid.lr and training.lr",
        expected: "one of them (grid.lr for several values, training.lr for one)")
    case (let axis?, nil):
      let items: [JSONValue]
      if case .array(let list) = axis {
        guard !list.isEmpty else {
          throw .invalidValue(file: file, key: "grid.lr", value: "[]", expected: "a non-empty list")
        }
        items = list
      } else {
        items = [axis]
      }
      var rates: [LearningRate] = []
      for (i, item) in items.enumerated() {
        let key = items.count == 1 && !isArray(axis) ? "grid.lr" : "grid.lr[\(i)]"
        rates.append(try learningRate(item, key: key, gammas: grid.gammas))
      }
      grid.learningRates = rates
      try checkDistinctRates(rates, grid: grid)
    case (nil, let single?):
      grid.learningRates = [try learningRate(single, key: "training.lr", gammas: grid.gammas)]
    case (nil, nil) where optional:
      grid.learningRates = [.constant(0)]
    case (nil, nil):
      throw .missingKey(
        file: file, key: "training.lr",
        expected:
          "a learning rate, an object mapping each gamma to one, or a width rule (or grid.lr for several)"
      )
    }
    return TrainingSpec(recordPoints: recordPoints, schedule: schedule)
  }

  private func isArray(_ value: JSONValue) -> Bool {
    if case .array = value { return true }
    return false
  }

  private static let widthRuleKeys = ["base", "reference_width", "width_exponent"]

  /// A number, a width rule, or an object mapping each gamma of the grid to one of those.
  private func learningRate(_ value: JSONValue, key: String, gammas: [Double])
    throws(JobSpecError) -> LearningRate
  {
    guard case .object(let members) = value,
      !members.contains(where: { Self.widthRuleKeys.contains($0.key) })
    else {
      return .uniform(try rateRule(value, key: key))
    }
    var table: [Double: LearningRateRule] = [:]
    var spelling: [Double: String] = [:]
    for member in members {
      let memberKey = "\(key).\(member.key)"
      guard let gamma = Double(member.key), gamma.isFinite else {
        throw .invalidValue(
          file: file, key: memberKey, value: "key \"\(member.key)\"",
          expected:
            "a gamma value from grid.gamma as the key, or a width rule {\"base\", \"reference_width\", \"width_exponent\"}"
        )
      }
      guard gammas.contains(gamma) else {
        throw .invalidValue(
          file: file, key: memberKey, value: "gamma \(member.key)",
          expected: "one of grid.gamma \(gammas.map { JSONValue.format($0) })")
      }
      if let earlier = spelling[gamma] {
        throw .invalidValue(
          file: file, key: memberKey, value: "key \"\(member.key)\"",
          expected:
            "one learning rate per gamma (\"\(earlier)\" already names gamma \(JSONValue.format(gamma)))"
        )
      }
      spelling[gamma] = member.key
      table[gamma] = try rateRule(member.value, key: memberKey)
    }
    if let missing = gammas.first(where: { table[$0] == nil }) {
      throw .missingKey(
        file: file, key: "\(key).\(JSONValue.format(missing))",
        expected: "a learning rate for every gamma of the grid")
    }
    return .perGamma(table)
  }

  /// A number, or `{"base": b, "reference_width": N0, "width_exponent": e}`.
  private func rateRule(_ value: JSONValue, key: String) throws(JobSpecError) -> LearningRateRule {
    guard case .object = value else {
      return .constant(try number(value, key: key, above: 0, atMost: 1000))
    }
    var rule = try ObjectReader(value, key: key, file: file, allowed: Self.widthRuleKeys)
    let base = try number(
      rule.require("base", expected: "the rate at the reference width"), key: "\(key).base",
      above: 0, atMost: 1000)
    let reference = try integer(
      rule.require("reference_width", expected: "the width at which the rate is base"),
      key: "\(key).reference_width", in: 1...65_536)
    let exponent = try closedNumber(
      rule.require("width_exponent", expected: "the exponent of N / reference_width, e.g. -1"),
      key: "\(key).width_exponent", from: -4, to: 4)
    return .width(base: base, referenceWidth: reference, widthExponent: exponent)
  }

  /// Two values of the rate axis that give one cell the same rate would make
  /// two cells with equal coordinates.
  private func checkDistinctRates(_ rates: [LearningRate], grid: GridSpec) throws(JobSpecError) {
    for width in grid.widths {
      for gamma in grid.gammas {
        var seen: [Double: Int] = [:]
        for (i, rate) in rates.enumerated() {
          let lr = rate.value(gamma: gamma, width: width)
          if let first = seen[lr] {
            throw .invalidValue(
              file: file, key: "grid.lr[\(i)]", value: "rate \(JSONValue.format(lr))",
              expected:
                "a rate different from grid.lr[\(first)] for width \(width), gamma \(JSONValue.format(gamma)) (distinct values)"
            )
          }
          seen[lr] = i
        }
      }
    }
  }

  private static let scheduleKinds = ["constant", "cosine", "wsd"]

  /// `"constant"`, or `{"kind": "cosine", "warmup": W, "final": f}`, or
  /// `{"kind": "wsd", "warmup": W, "decay": d}`; a kind alone is its defaults.
  private func schedule(_ value: JSONValue) throws(JobSpecError) -> LearningRateSchedule {
    let key = "training.schedule"
    var kindValue: JSONValue? = value
    if case .object(let members) = value {
      kindValue = members.first(where: { $0.key == "kind" })?.value
    }
    let allowed: [String]
    switch kindValue {
    case .string("cosine")?: allowed = ["kind", "warmup", "final"]
    case .string("wsd")?: allowed = ["kind", "warmup", "decay"]
    case .string("constant")?: allowed = ["kind"]
    default: allowed = ["kind", "warmup", "final", "decay"]
    }
    var object: ObjectReader?
    let kind: String
    if case .string(let s) = value {
      kind = s
    } else {
      object = try ObjectReader(value, key: key, file: file, allowed: allowed)
      kind = try string(
        object!.require("kind", expected: "\"constant\", \"cosine\" or \"wsd\""),
        key: "\(key).kind")
    }
    let kindKey = object == nil ? key : "\(key).kind"
    guard Self.scheduleKinds.contains(kind) else {
      let hint =
        closestKey(to: kind, in: Self.scheduleKinds).map { " (did you mean \"\($0)\"?)" } ?? ""
      throw .invalidValue(
        file: file, key: kindKey, value: "\"\(kind)\"",
        expected: "\"constant\", \"cosine\" or \"wsd\"\(hint)")
    }
    let warmup =
      try object?.take("warmup").map { v throws(JobSpecError) in
        try integer(v, key: "\(key).warmup", in: 0...1_000_000_000)
      } ?? 0
    switch kind {
    case "cosine":
      let final =
        try object?.take("final").map { v throws(JobSpecError) in
          try closedNumber(v, key: "\(key).final", from: 0, to: 1)
        } ?? 0
      return .cosine(warmup: warmup, final: final)
    case "wsd":
      let decay =
        try object?.take("decay").map { v throws(JobSpecError) in
          try number(v, key: "\(key).decay", above: 0, atMost: 1)
        } ?? 0.2
      return .wsd(warmup: warmup, decay: decay)
    default:
      return .constant
    }
  }

  /// Warmup (and a WSD decay) must fit inside every budget.
  private func checkSchedule(_ schedule: LearningRateSchedule, budgets: [Int])
    throws(JobSpecError)
  {
    guard let shortest = budgets.min() else { return }
    switch schedule {
    case .constant: return
    case .cosine(let w, _):
      if w >= shortest {
        throw .invalidValue(
          file: file, key: "training.schedule.warmup", value: String(w),
          expected: "fewer warmup steps than the shortest budget in grid.steps (\(shortest))")
      }
    case .wsd(let w, let d):
      for budget in budgets.sorted() {
        let decay = LearningRateSchedule.decaySteps(fraction: d, budget: budget)
        if w + decay > budget {
          throw .invalidValue(
            file: file, key: "training.schedule.warmup", value: String(w),
            expected:
              "warmup plus decay (\(decay) steps) within every budget; budget \(budget) is too short"
          )
        }
      }
    }
  }

  /// `notes`: free text up to 10000 characters.
  private func notesText(_ value: JSONValue) throws(JobSpecError) -> String {
    guard case .string(let s) = value, s.count <= 10_000 else {
      throw .invalidValue(
        file: file, key: "notes", value: value.brief,
        expected: "a string of at most 10000 characters")
    }
    return s
  }

  /// `tags`: distinct non-empty strings.
  private func tagList(_ value: JSONValue) throws(JobSpecError) -> [String] {
    let items: [JSONValue]
    switch value {
    case .array(let list): items = list
    case .string: items = [value]
    default:
      throw .invalidValue(
        file: file, key: "tags", value: value.brief, expected: "a list of strings")
    }
    var out: [String] = []
    for (i, item) in items.enumerated() {
      let tag = try string(item, key: "tags[\(i)]")
      if out.contains(tag) {
        throw .invalidValue(
          file: file, key: "tags[\(i)]", value: item.brief, expected: "distinct tags")
      }
      out.append(tag)
    }
    return out
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

  /// A number in the closed range `[lower, upper]`.
  private func closedNumber(_ value: JSONValue, key: String, from lower: Double, to upper: Double)
    throws(JobSpecError) -> Double
  {
    var d: Double?
    switch value {
    case .integer(let i): d = Double(i)
    case .number(let x): d = x
    default: d = nil
    }
    guard let d, d >= lower, d <= upper else {
      throw .invalidValue(
        file: file, key: key, value: value.brief,
        expected: "a number from \(JSONValue.format(lower)) to \(JSONValue.format(upper))")
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
