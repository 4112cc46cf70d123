extension JobSpec {
  /// The job as canonical JSON with every default filled in: stored in results
  /// files, compared on resume, and accepted again by ``JobSpec/parse(_:file:)``.
  public var normalizedJSON: String { normalizedValue.serialized }

  var normalizedValue: JSONValue {
    let modelValue: JSONValue
    switch model {
    case .projectedFeatures(let features):
      modelValue = .object([("kind", .string(model.kind)), ("features", .integer(features))])
    case .mlpCircle(let spec):
      modelValue = .object([
        ("kind", .string(model.kind)), ("depth", .integer(spec.depth)),
        ("test_points", .integer(spec.testPoints)), ("modes", .integer(spec.modes)),
        ("activation", activationValue(spec.activation)),
      ])
    case .command(let spec):
      var members: [(key: String, value: JSONValue)] = [
        ("kind", .string(model.kind)), ("argv", .array(spec.argv.map { .string($0) })),
        (
          "env",
          .object(spec.environment.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) })
        ),
      ]
      if let timeout = spec.timeout { members.append(("timeout", .number(timeout))) }
      if let cost = spec.cost { members.append(("cost", .string(cost.text))) }
      if let flops = spec.flopsPerStep { members.append(("flops_per_step", .string(flops.text))) }
      members.append(("devices_per_rank", .integer(spec.devicesPerRank)))
      modelValue = .object(members)
    }
    let taskValues: [JSONValue] = tasks.map {
      if let parameters = $0.parameters { return parameters }
      if let q = $0.fourierDecay {
        return .object([("q", .number(q)), ("phases", .string($0.phases.rawValue))])
      }
      return .object([("alpha", .number($0.alpha)), ("beta", .number($0.beta))])
    }
    // One rate and one batch are stored as training.lr / training.batch, several
    // as grid axes, so a job that grows a second value reads as the same job grown.
    let rates = grid.learningRates.map(learningRateValue)
    let batches: [JSONValue] = grid.batches.map { .integer($0) }
    var trainingMembers: [(key: String, value: JSONValue)] = []
    // A command job that gives no rate or batch holds 0 for it: left out here too.
    if batches.count == 1 && grid.batches != [0] {
      trainingMembers.append(("batch", batches[0]))
    }
    if rates.count == 1 && grid.learningRates != [.constant(0)] {
      trainingMembers.append(("lr", rates[0]))
    }
    trainingMembers.append(("record_points", .integer(training.recordPoints)))
    if training.schedule != .constant {
      trainingMembers.append(("schedule", scheduleValue))
    }
    var top: [(key: String, value: JSONValue)] = [
      ("schema_version", .integer(JobSpec.schemaVersion)),
      ("name", .string(name)),
    ]
    if let notes { top.append(("notes", .string(notes))) }
    if !tags.isEmpty { top.append(("tags", .array(tags.map { .string($0) }))) }
    let gridAxes: [(key: String, value: JSONValue)] = [
      ("width", .array(grid.widths.map { .integer($0) })),
      (
        "data",
        .array(
          grid.data.map {
            switch $0 {
            case .online: return .string("online")
            case .finite(let p): return .integer(p)
            }
          })
      ),
      ("gamma", .array(grid.gammas.map { .number($0) })),
    ]
    var gridMembers = gridAxes
    if rates.count > 1 { gridMembers.append(("lr", .array(rates))) }
    if batches.count > 1 { gridMembers.append(("batch", .array(batches))) }
    gridMembers.append(("seeds", .array(grid.seeds.map { .integer($0) })))
    gridMembers.append(("steps", .array(grid.steps.map { .integer($0) })))
    return .object(
      top + [
        ("model", modelValue),
        ("task", .array(taskValues)),
        ("grid", .object(gridMembers)),
        ("training", .object(trainingMembers)),
      ])
  }

  private func activationValue(_ activation: MLPActivation) -> JSONValue {
    switch activation {
    case .relu: return .string("relu")
    case .reluPower(let p): return .object([("relu_power", .number(p))])
    }
  }

  private func learningRateValue(_ rate: LearningRate) -> JSONValue {
    switch rate {
    case .uniform(let rule): return ruleValue(rule)
    case .perGamma(let table):
      return .object(
        grid.gammas.map { (JSONValue.format($0), table[$0].map(ruleValue) ?? .null) })
    }
  }

  private func ruleValue(_ rule: LearningRateRule) -> JSONValue {
    switch rule {
    case .constant(let v): return .number(v)
    case .width(let base, let reference, let exponent):
      return .object([
        ("base", .number(base)), ("reference_width", .integer(reference)),
        ("width_exponent", .number(exponent)),
      ])
    }
  }

  private var scheduleValue: JSONValue {
    switch training.schedule {
    case .constant: return .string("constant")
    case .cosine(let w, let f):
      return .object([("kind", .string("cosine")), ("warmup", .integer(w)), ("final", .number(f))])
    case .wsd(let w, let d):
      return .object([("kind", .string("wsd")), ("warmup", .integer(w)), ("decay", .number(d))])
    }
  }
}
