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
      ])
    }
    let taskValues: [JSONValue] = tasks.map {
      if let q = $0.fourierDecay { return .object([("q", .number(q))]) }
      return .object([("alpha", .number($0.alpha)), ("beta", .number($0.beta))])
    }
    let lr: JSONValue
    switch training.learningRate {
    case .constant(let v): lr = .number(v)
    case .perGamma(let table):
      lr = .object(grid.gammas.map { (JSONValue.format($0), .number(table[$0] ?? .nan)) })
    }
    return .object([
      ("schema_version", .integer(JobSpec.schemaVersion)),
      ("name", .string(name)),
      ("model", modelValue),
      ("task", .array(taskValues)),
      (
        "grid",
        .object([
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
          ("seeds", .array(grid.seeds.map { .integer($0) })),
          ("steps", .array(grid.steps.map { .integer($0) })),
        ])
      ),
      (
        "training",
        .object([
          ("batch", .integer(training.batch)),
          ("lr", lr),
          ("record_points", .integer(training.recordPoints)),
        ])
      ),
    ])
  }
}
