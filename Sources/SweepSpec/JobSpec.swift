/// A validated job: what to train (model, tasks), over which grid, and how.
///
/// Built from a job file by ``JobSpec/load(path:)`` or ``JobSpec/parse(_:file:)``;
/// every value has been range-checked and every default filled, so the rest of
/// ScaleSweep never re-validates.
public struct JobSpec: Equatable, Sendable {
  /// The only job-file schema this version understands.
  public static let schemaVersion = 1

  public var name: String
  public var model: ModelSpec
  /// One or more target functions; a grid axis.
  public var tasks: [TaskSpec]
  public var grid: GridSpec
  public var training: TrainingSpec
  /// Free text about the job (`notes`): stored, shown by `inspect`, never
  /// compared by `run --resume`.
  public var notes: String?
  /// Labels (`tags`), like ``notes`` stored but not compared.
  public var tags: [String]

  public init(
    name: String, model: ModelSpec, tasks: [TaskSpec], grid: GridSpec, training: TrainingSpec,
    notes: String? = nil, tags: [String] = []
  ) {
    self.name = name
    self.model = model
    self.tasks = tasks
    self.grid = grid
    self.training = training
    self.notes = notes
    self.tags = tags
  }

  /// The job without its metadata (``notes``, ``tags``): what `run --resume` compares.
  public var withoutMetadata: JobSpec {
    var copy = self
    copy.notes = nil
    copy.tags = []
    return copy
  }
}

/// The network family a job trains.
public enum ModelSpec: Equatable, Sendable {
  /// Model 1 of the paper: linear readout of `N` projections of `M` power-law
  /// features, with optional feature learning through `A = Bmat A0`.
  case projectedFeatures(features: Int)

  /// Model 2 of the paper: a ReLU MLP with biases on the circle, in the
  /// mean-field / muP parametrisation with richness `gamma0` (the grid's gamma).
  case mlpCircle(MLPCircleSpec)

  /// The user's own training program, one run per cell (docs/trainers.md).
  case command(CommandSpec)

  /// The `kind` string used in job files.
  public var kind: String {
    switch self {
    case .projectedFeatures: return "projected-features"
    case .mlpCircle: return "mlp-circle"
    case .command: return "command"
    }
  }

  /// Largest richness compared with the lazy (kernel) theory: model 1 has an
  /// exact lazy limit `gamma = 0`; the MLP divides its output by `gamma0 > 0`,
  /// so its small values (up to 0.05, e.g. the jobs' 0.01) stand for the limit.
  public var lazyGamma: Double {
    switch self {
    case .projectedFeatures, .command: return 0
    case .mlpCircle: return 0.05
    }
  }
}

/// Shape of model 2: `depth` counts weight layers (input layer, `depth - 2`
/// hidden `N x N` layers, readout), so depth 3 has two hidden ReLU layers.
public struct MLPCircleSpec: Equatable, Sendable {
  public static let defaultTestPoints = 4096
  public static let defaultModes = 512

  /// Weight layers, at least 3.
  public var depth: Int
  /// Equally spaced angles of the test grid (more than twice `modes`, so the
  /// target's mean square on the grid is exact).
  public var testPoints: Int
  /// `K`, the number of Fourier modes of the target.
  public var modes: Int
  /// The hidden layers' nonlinearity (`model.activation`, default ReLU).
  public var activation: MLPActivation

  /// The documented lazy setting of this model, `gamma0 = 0.001`: at that
  /// richness the network's loss follows its own kernel at initialisation
  /// (`scalesweep theory`); `gamma0 = 0.01` already flattens late lazy curves.
  public static let lazyGamma0 = 0.001

  public init(
    depth: Int, testPoints: Int = MLPCircleSpec.defaultTestPoints,
    modes: Int = MLPCircleSpec.defaultModes, activation: MLPActivation = .relu
  ) {
    self.depth = depth
    self.testPoints = testPoints
    self.modes = modes
    self.activation = activation
  }
}

/// A target function: the power-law spectrum (`alpha`) and source exponent (`beta`).
///
/// For `mlp-circle` the target is `y(theta) = s sum_k k^-q cos(k (theta - phi_k))`
/// and `fourierDecay` is `q`; `alpha` is then the nominal ReLU-NTK value 2 and
/// `beta = (2q - 1) / alpha` (`scalesweep theory` measures the real alpha).
///
/// For `command` the task is any JSON object handed to the program
/// (`parameters`); `alpha` and `beta` are then NaN (unknown).
public struct TaskSpec: Equatable, Sendable {
  /// Capacity exponent: kernel eigenvalues `lambda_k = k^-alpha`, `alpha > 1`.
  public var alpha: Double
  /// Source exponent: `lambda_k (w*_k)^2 = k^-(alpha beta + 1)`, `beta > 0`.
  public var beta: Double
  /// `q` of a Fourier target on the circle (`mlp-circle` only), else nil.
  public var fourierDecay: Double?
  /// The task object of a `command` job, as written; nil for built-in models.
  public var parameters: JSONValue?
  /// The phases of a Fourier target (`task.phases`, `mlp-circle` only).
  public var phases: TargetPhases = .random

  public init(alpha: Double, beta: Double) {
    self.alpha = alpha
    self.beta = beta
    self.fourierDecay = nil
  }

  /// A `command` job's task: an object passed to the program as is.
  public init(parameters: JSONValue) {
    self.alpha = .nan
    self.beta = .nan
    self.fourierDecay = nil
    self.parameters = parameters
  }

  public static func == (a: TaskSpec, b: TaskSpec) -> Bool {
    if a.parameters != nil || b.parameters != nil { return a.parameters == b.parameters }
    return a.alpha == b.alpha && a.beta == b.beta && a.fourierDecay == b.fourierDecay
      && a.phases == b.phases
  }

  /// The nominal capacity exponent of the ReLU NTK on the circle.
  public static let circleNominalAlpha = 2.0

  /// A Fourier target on the circle with decay `q`:
  /// `lambda_k y_k^2 ~ k^-alpha k^-2q` against `k^-(alpha beta + 1)` gives
  /// `beta = (2q - 1) / alpha` with the nominal `alpha = 2`.
  public init(fourierDecay q: Double, phases: TargetPhases = .random) {
    self.alpha = TaskSpec.circleNominalAlpha
    self.beta = (2 * q - 1) / TaskSpec.circleNominalAlpha
    self.fourierDecay = q
    self.phases = phases
  }

  /// `q = (alpha beta + 1) / 2`: the Fourier decay of a circle target with source exponent `beta`.
  public static func fourierDecay(beta: Double, alpha: Double = circleNominalAlpha) -> Double {
    (alpha * beta + 1) / 2
  }

  /// The paper's difficulty classes (science.md, "Notation").
  public enum Difficulty: String, Sendable {
    case hard, easy
    case superEasy = "super-easy"
  }

  /// `hard` for `beta < 1`, `easy` for `1 <= beta < 2 - 1/alpha`, else `super-easy`.
  public var difficulty: Difficulty {
    if beta < 1 { return .hard }
    if beta < 2 - 1 / alpha { return .easy }
    return .superEasy
  }
}

/// Data set size: fresh samples every step, or a fixed set of `P` samples.
public enum DataSize: Hashable, Sendable, Comparable {
  case online
  case finite(Int)

  /// The integer stored in results files: `0` means online.
  public var code: Int {
    switch self {
    case .online: return 0
    case .finite(let p): return p
    }
  }

  public init(code: Int) {
    self = code == 0 ? .online : .finite(code)
  }

  public var description: String {
    switch self {
    case .online: return "online"
    case .finite(let p): return String(p)
    }
  }
}

/// The axes whose cartesian product makes the cells.
public struct GridSpec: Equatable, Sendable {
  public var widths: [Int]
  public var data: [DataSize]
  /// Richness; `0` is the lazy (kernel) limit.
  public var gammas: [Double]
  public var seeds: [Int]
  /// Step budgets; each cell records its curve at log-spaced steps up to its budget.
  public var steps: [Int]
  /// Learning rates (`grid.lr`, or the one `training.lr`); each may depend on gamma and width.
  public var learningRates: [LearningRate]
  /// Batch sizes (`grid.batch`, or the one `training.batch`).
  public var batches: [Int]

  public init(
    widths: [Int], data: [DataSize], gammas: [Double], seeds: [Int], steps: [Int],
    learningRates: [LearningRate], batches: [Int]
  ) {
    self.widths = widths
    self.data = data
    self.gammas = gammas
    self.seeds = seeds
    self.steps = steps
    self.learningRates = learningRates
    self.batches = batches
  }
}

/// Optimiser settings shared by every cell (the rate and batch are grid axes).
public struct TrainingSpec: Equatable, Sendable {
  /// How many log-spaced steps (up to the budget) record train and test loss.
  public var recordPoints: Int
  /// How the rate changes along one cell's training.
  public var schedule: LearningRateSchedule

  public init(recordPoints: Int, schedule: LearningRateSchedule = .constant) {
    self.recordPoints = recordPoints
    self.schedule = schedule
  }
}
