/// Model kind `command`: every cell is one run of the user's own program.
///
///     "model": {"kind": "command",
///               "argv": ["python3", "train.py", "--width", "{width}"],
///               "env": {"MY_SETTING": "1"}, "timeout": 7200,
///               "cost": "width * width * steps",
///               "flops_per_step": "6 * width * width * batch",
///               "devices_per_rank": 0}
///
/// `argv` runs directly (no shell); `{name}` placeholders in `argv` and in
/// `env` values are replaced per cell (docs/trainers.md).
public struct CommandSpec: Equatable, Sendable {
  /// Program and arguments, placeholders unexpanded; never empty.
  public var argv: [String]
  /// Extra environment of the child, values with placeholders.
  public var environment: [String: String]
  /// Wall-clock seconds after which a cell fails ("timed out after S s"); nil: none.
  public var timeout: Double?
  /// Relative cost of a cell: orders the hand-out (largest first) and feeds `plan`.
  public var cost: ArithmeticExpression?
  /// FLOPs of one training step, stored in `/cells/flops_per_step`.
  public var flopsPerStep: ArithmeticExpression?
  /// GPUs per rank: `CUDA_VISIBLE_DEVICES` lists devices `local_rank * d ..< (local_rank + 1) * d`.
  public var devicesPerRank: Int

  public init(
    argv: [String], environment: [String: String] = [:], timeout: Double? = nil,
    cost: ArithmeticExpression? = nil, flopsPerStep: ArithmeticExpression? = nil,
    devicesPerRank: Int = 0
  ) {
    self.argv = argv
    self.environment = environment
    self.timeout = timeout
    self.cost = cost
    self.flopsPerStep = flopsPerStep
    self.devicesPerRank = devicesPerRank
  }

  /// Names a cost or FLOP expression may read (besides `task.KEY`).
  public static let coordinateNames: Set<String> = [
    "width", "data", "gamma", "seed", "steps", "batch", "lr",
  ]

  /// Placeholders `argv` and `env` may hold (besides `task.KEY`).
  public static let placeholderNames: Set<String> = [
    "width", "data", "gamma", "seed", "steps", "batch", "lr", "cell", "task", "record_steps",
    "checkpoint_dir",
  ]
}

/// `{name}` placeholders in a string; `{{` and `}}` stand for literal braces.
public enum PlaceholderTemplate {
  public struct SyntaxError: Error, Equatable, Sendable {
    public var message: String
  }

  enum Piece: Equatable {
    case text(String)
    case placeholder(String)
  }

  static func pieces(_ template: String) throws(SyntaxError) -> [Piece] {
    var out: [Piece] = []
    var text = ""
    var i = template.startIndex
    while i < template.endIndex {
      let c = template[i]
      let next = template.index(after: i)
      if c == "{" || c == "}" {
        if next < template.endIndex, template[next] == c {
          text.append(c)
          i = template.index(after: next)
          continue
        }
        guard c == "{" else { throw SyntaxError(message: "a lone '}' (write '}}' for a brace)") }
        guard let close = template[next...].firstIndex(of: "}") else {
          throw SyntaxError(message: "'{' without a closing '}'")
        }
        if !text.isEmpty { out.append(.text(text)) }
        text = ""
        out.append(.placeholder(String(template[next..<close])))
        i = template.index(after: close)
        continue
      }
      text.append(c)
      i = next
    }
    if !text.isEmpty { out.append(.text(text)) }
    return out
  }

  /// The placeholder names in `template`, in order.
  public static func names(in template: String) throws(SyntaxError) -> [String] {
    try pieces(template).compactMap {
      if case .placeholder(let name) = $0 { return name }
      return nil
    }
  }

  /// `template` with each placeholder replaced from `values` (validated
  /// templates only: a missing name expands to the empty string).
  public static func expand(_ template: String, _ values: [String: String]) -> String {
    guard let parts = try? pieces(template) else { return template }
    var out = ""
    for part in parts {
      switch part {
      case .text(let t): out += t
      case .placeholder(let name): out += values[name] ?? ""
      }
    }
    return out
  }
}

extension JobSpec {
  /// The cell's learning rate (``Cell/learningRate``), nil when the job gives
  /// none: a `command` job may leave the rate out, and its cells then hold 0
  /// (never a valid rate).
  public func learningRate(of cell: Cell) -> Double? {
    cell.learningRate > 0 ? cell.learningRate : nil
  }

  /// The cell's batch size (``Cell/batch``), nil when the job gives none
  /// (`command` only; its cells then hold 0).
  public func batch(of cell: Cell) -> Int? {
    cell.batch > 0 ? cell.batch : nil
  }

  /// The values cost and FLOP expressions read: `data` is 0 online, `lr` and
  /// `batch` are left out when the job gives none, `task.KEY` for numbers in
  /// the cell's task object.
  public func coordinates(of cell: Cell) -> [String: Double] {
    var out: [String: Double] = [
      "width": Double(cell.width), "data": Double(cell.data.code), "gamma": cell.gamma,
      "seed": Double(cell.seed), "steps": Double(cell.stepsBudget),
    ]
    if let b = batch(of: cell) { out["batch"] = Double(b) }
    if let lr = learningRate(of: cell) { out["lr"] = lr }
    if case .object(let members)? = tasks[cell.task].parameters {
      for member in members {
        switch member.value {
        case .integer(let i): out["task." + member.key] = Double(i)
        case .number(let x): out["task." + member.key] = x
        default: break
        }
      }
    }
    return out
  }

  /// What each placeholder of a `command` job expands to for `cell`.
  public func placeholderValues(of cell: Cell, checkpointDirectory: String) -> [String: String] {
    var out: [String: String] = [
      "width": String(cell.width), "data": cell.data.description,
      "gamma": JSONValue.format(cell.gamma), "seed": String(cell.seed),
      "steps": String(cell.stepsBudget), "cell": String(cell.index),
      "record_steps": RecordSchedule.steps(
        budget: cell.stepsBudget, points: training.recordPoints
      ).map(String.init).joined(separator: ","),
      "checkpoint_dir": checkpointDirectory,
    ]
    out["batch"] = batch(of: cell).map(String.init) ?? ""
    out["lr"] = learningRate(of: cell).map(JSONValue.format) ?? ""
    let task = tasks[cell.task].parameters ?? .object([])
    out["task"] = task.serialized
    if case .object(let members) = task {
      for member in members {
        switch member.value {
        case .string(let s): out["task." + member.key] = s
        default: out["task." + member.key] = member.value.serialized
        }
      }
    }
    return out
  }
}
