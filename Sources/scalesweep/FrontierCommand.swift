import Distributed
import Foundation
import Frontier
import ResultStore
import SweepSpec

/// `scalesweep frontier FILE.h5`: power laws, compute-optimal frontier with
/// bootstrap intervals, and the paper's theory beside the measurement.
enum FrontierCommand {
  static let help = """
    usage: [mpirun -np R] scalesweep frontier FILE.h5 [--details] [--json] [--json-file OUT]
                                              [--csv DIR] [--svg FILE] [--plot-size WxH]
                                              [--write] [--compute flops|nt]
                                              [--bootstrap N] [--seed S]
                                              [--time-range T1:T2] [--lazy-gamma G]
                                              [--seed-average A]
           scalesweep frontier --table FILE.csv --size-column NAME --compute-column NAME
                               --loss-column NAME [--data-column NAME] [--drop-highest K]
                               [--run-column NAME] [--json] [--bootstrap N] [--seed S]

    For each (gamma, task, data) slice of a results file: loss-vs-time fits
    per width (window chosen automatically and reported), loss vs width and
    vs data, the compute-optimal frontier by three approaches (envelope,
    IsoFLOP parabolas, parametric L = E + A N^-a + B t^-b), bootstrap
    confidence intervals, and the paper's predicted exponents. It prints a
    one-screen summary first: per task and data size, whether feature
    learning speeds training up (time exponents, rich vs lazy, with
    intervals and theory), the compute-optimal exponents of each regime, and
    the final loss of each width. Exponents are positive, as the paper
    writes them. A number that breaks a reporting rule (docs/frontier.md) is
    shown as - with the reason. Diverged and failed cells are left out with
    a warning. Under mpirun the bootstrap is spread over the ranks.

      --details         after the summary, every statistic of every slice
      --json            the report as JSON on stdout instead of the text
      --json-file OUT   also write the JSON report to OUT (text stays on stdout)
      --csv DIR         write CSV tables into DIR
      --svg FILE        write the plot as SVG, and FILE.png / FILE.pdf next to it
                        when rsvg-convert is installed
      --plot-size WxH   plot size in pixels (default 1100x420 per task and data row)
      --write           store the report in FILE.h5 as the group /frontier (the
                        file is rewritten and renamed, so it does not grow;
                        refused at once while a run writes the file)
      --compute M       compute axis: flops (recorded FLOPs, default) or nt (C = N t)
      --bootstrap N     bootstrap replicates (default 1000; 0 for none)
      --seed S          bootstrap seed (default fixed, so reports are reproducible)
      --time-range T1:T2
                        fit L(t) over steps T1..T2 for every width and slice instead
                        of the automatic window (same window for lazy and rich)
      --lazy-gamma G    slices with gamma <= G use the lazy theory (default: 0 for
                        projected-features, 0.05 for mlp-circle, whose gamma0 > 0;
                        its documented lazy setting is gamma0 = 0.001, and a lazy
                        slice above 0.001 gets a warning: 0.01 flattens late curves)
      --seed-average A  how each width's seeds make one curve for every fit:
                        geometric-mean, median, or running-minimum (geometric
                        mean of each seed's best loss so far, robust to the
                        spikes of rich MLP curves); default running-minimum for
                        mlp-circle, geometric-mean otherwise (docs/frontier.md)
      --table FILE.csv  fit runs made elsewhere (one row per run) with approach 3,
                        N from --size-column, C from --compute-column, loss from
                        --loss-column, data from --data-column or D = C / (6 N)
      --drop-highest K  leave out the K highest-loss rows of --table (outliers)
      --run-column C    with --table: rows with the same value of C are one run's
                        learning curve (one size N, losses at several D); fits
                        L(D) per size and all three approaches, bootstrapping
                        whole runs; --details, --json, --json-file, --csv, --svg apply
    """

  /// Options that only make sense for a results file (refused with --table).
  static let resultsOnly = [
    "--csv", "--svg", "--write", "--compute", "--time-range", "--lazy-gamma", "--details",
    "--json-file", "--plot-size",
  ]

  static func run(_ words: [String]) throws -> Int32 {
    let args = try Arguments(
      words, command: "frontier", flags: ["--json", "--write", "--details"],
      options: [
        "--csv", "--svg", "--compute", "--bootstrap", "--seed", "--table", "--size-column",
        "--compute-column", "--loss-column", "--data-column", "--drop-highest", "--time-range",
        "--lazy-gamma", "--json-file", "--plot-size", "--run-column", "--seed-average",
      ])
    var bootstrap = BootstrapOptions()
    bootstrap.replicates =
      try args.integer("--bootstrap", command: "frontier", in: 0...1_000_000) ?? 1000
    if let seed = try args.integer("--seed", command: "frontier", in: 0...Int.max) {
      bootstrap.baseSeed = UInt64(seed)
    }
    if let table = args.value("--table") {
      if args.value("--run-column") != nil {
        return try runCurves(table, args: args, bootstrap: bootstrap)
      }
      for option in resultsOnly where args.has(option) || args.value(option) != nil {
        throw UsageError(
          message:
            "scalesweep frontier --table \(table): \(option) applies to results files only (a table gives no curves to plot, tabulate or store)"
        )
      }
      return try runTable(table, args: args, bootstrap: bootstrap)
    }
    for option in [
      "--size-column", "--compute-column", "--loss-column", "--data-column",
      "--drop-highest", "--run-column",
    ] where args.value(option) != nil {
      throw UsageError(message: "scalesweep frontier: \(option) needs --table")
    }
    let path = try args.single("results file", command: "frontier")
    // --write takes the file's lock before any work: a live file is refused
    // at once, and no run starts on it while the report is computed.
    let writeLock =
      args.has("--write") && Output.launcherRank == 0
      ? try ResultsFileLock.acquire(for: path) : nil
    defer { writeLock?.release() }
    if writeLock == nil, Output.launcherRank == 0, let holder = ResultsFileLock.holder(of: path) {
      Output.warning(
        "\(path): a run is in progress (\(holder)); the report covers the cells finished so far")
    }
    var options = FrontierOptions()
    options.bootstrap = bootstrap
    switch args.value("--compute") ?? "flops" {
    case "flops": options.computeMeasure = .flops
    case "nt": options.computeMeasure = .nt
    case let other:
      throw UsageError(message: "scalesweep frontier: --compute \(other): expected flops or nt")
    }
    if let text = args.value("--time-range") {
      options.timeWindow = options.timeWindow.fixed(to: try timeRange(text))
    }
    let seedAverage = try args.value("--seed-average").map(seedAggregation)
    let lazyGamma = try args.number("--lazy-gamma", command: "frontier", atLeast: 0)
    let plotSize = try args.value("--plot-size").map(plotSize)
    let results = try ResultsFile.read(path: path)
    options.lazyGamma = lazyGamma ?? results.job.model.lazyGamma
    options.seedAggregation = seedAverage ?? defaultSeedAggregation(results.job.model)
    var (curves, warnings) = curves(from: results)
    if case .mlpCircle = results.job.model {
      let notLazyEnough = results.job.grid.gammas.filter {
        $0 <= options.lazyGamma && $0 > MLPCircleSpec.lazyGamma0
      }
      for gamma in notLazyEnough {
        warnings.append(
          "gamma0 = \(gamma) is compared with the lazy theory but is not lazy enough for mlp-circle (it flattens late curves; the documented lazy setting is gamma0 = \(MLPCircleSpec.lazyGamma0), docs/models.md)"
        )
      }
    }
    guard !curves.isEmpty else {
      throw UsageError(message: "\(path): no finished cells to fit (run the sweep first)")
    }
    let comm = try launchedUnderMPI ? Comm.world() : nil
    defer { comm?.finalize() }
    return try analyze(
      curves, options: options, warnings: warnings, args: args, path: path, comm: comm,
      plotSize: plotSize)
  }

  /// The analysis and every output, for a results file or a table of runs:
  /// slices, fits and warm starts built once; the bootstrap (spread over
  /// `comm`'s ranks) resamples them; text, JSON, CSV and SVG render the
  /// combined report.
  static func analyze(
    _ curves: [LossCurve], options: FrontierOptions, warnings: [String], args: Arguments,
    path: String, comm: Comm?, plotSize: (Double, Double)?
  ) throws -> Int32 {
    let rank = comm?.rank ?? 0
    let ranks = comm?.size ?? 1
    let analysis = try ComputeOptimalFrontier.prepare(curves, options: options)
    if let text = args.value("--time-range"),
      analysis.report.slices.allSatisfy({ $0.timeFits.isEmpty })
    {
      let steps = curves.flatMap(\.steps)
      throw UsageError(
        message:
          "\(path): --time-range \(text) gives no L(t) fit: fewer than 3 records inside it for every width (records span steps \(JSONFormat.number(steps.min() ?? 0))..\(JSONFormat.number(steps.max() ?? 0)))"
      )
    }
    // Replicates split into contiguous ranges, one per rank; the combined
    // report does not depend on the split.
    let total = options.bootstrap.replicates
    let mine = try analysis.bootstrapReplicates(
      range: (total * rank / ranks)..<(total * (rank + 1) / ranks))
    var replicates = mine
    if let comm, comm.size > 1 {
      let gathered = try comm.gatherBytes(try BootstrapReplicate.encode(mine))
      guard rank == 0 else { return 0 }
      replicates = try gathered.flatMap { try BootstrapReplicate.decode($0) }
    }
    var report = total > 0 ? analysis.combined(replicates: replicates) : analysis.report
    report.warnings = warnings + report.warnings
    let json = FrontierJSON.render(report)
    if args.has("--json") {
      Output.block(json)
    } else {
      for warning in report.warnings { Output.warning(warning) }
      Output.block(FrontierText.render(report, details: args.has("--details")))
      Output.line(
        "per-width curves: \(options.seedAggregation.rawValue) over seeds (--seed-average)")
    }
    if let file = args.value("--json-file") {
      try write(json + "\n", to: file)
    }
    if let dir = args.value("--csv") {
      try writeFiles(FrontierCSV.tables(report), to: dir)
    }
    if let svg = args.value("--svg") {
      var plot = FrontierPlotOptions()
      if let plotSize {
        plot.width = plotSize.0
        plot.height = plotSize.1
      }
      try write(FrontierSVG.render(report, analysis: analysis, plot: plot), to: svg)
      try convert(svg)
    }
    if args.has("--write") {
      try ResultsFile.storeFrontier(
        path: path, reportJSON: json, computeMeasure: options.computeMeasure.rawValue,
        tables: FrontierCSV.tables(report))
    }
    return 0
  }

  /// `WxH` in pixels, each 200..10000.
  static func plotSize(_ text: String) throws -> (Double, Double) {
    let parts = text.lowercased().split(separator: "x")
    guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]),
      (200...10000).contains(w), (200...10000).contains(h)
    else {
      throw UsageError(
        message: "scalesweep frontier: --plot-size \(text): expected WxH in pixels, e.g. 1100x420")
    }
    return (Double(w), Double(h))
  }

  /// PNG (2x, for slides and the README) and PDF next to `svg` through
  /// librsvg's rsvg-convert when it is installed; nothing otherwise.
  static func convert(_ svg: String) throws {
    let candidates = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"]
    guard let tool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) })
    else { return }
    let base = svg.hasSuffix(".svg") ? String(svg.dropLast(4)) : svg
    for (format, extra) in [("png", ["--zoom", "2"]), ("pdf", [])] {
      let process = Process()
      process.executableURL = URL(fileURLWithPath: tool)
      process.arguments = ["-f", format] + extra + ["-o", "\(base).\(format)", svg]
      process.standardError = FileHandle.nullDevice
      do {
        try process.run()
        process.waitUntilExit()
      } catch {
        throw UsageError(message: "\(svg): rsvg-convert did not start: \(error)")
      }
      guard process.terminationStatus == 0 else {
        throw UsageError(message: "\(svg): rsvg-convert could not write \(base).\(format)")
      }
    }
  }

  /// `T1:T2` with `0 < T1 < T2`, in steps.
  /// `--seed-average A`.
  static func seedAggregation(_ text: String) throws -> SeedAggregation {
    guard let aggregation = SeedAggregation(rawValue: text) else {
      throw UsageError(
        message:
          "scalesweep frontier: --seed-average \(text): expected geometric-mean, median or running-minimum"
      )
    }
    return aggregation
  }

  /// The default per-width curve, chosen by measurement (docs/frontier.md):
  /// rich MLP curves spike, and the running minimum gave the steadiest time
  /// exponents there (zero-phase N = 128, 6 seeds, t = 100-10^4: 0.699,
  /// R^2 0.992, against 0.619, R^2 0.931 for the geometric mean; lazy curves
  /// read the same either way); model 1's curves do not spike, so they keep
  /// the geometric mean.
  static func defaultSeedAggregation(_ model: ModelSpec) -> SeedAggregation {
    if case .mlpCircle = model { return .runningMinimum }
    return .geometricMean
  }

  static func timeRange(_ text: String) throws -> ClosedRange<Double> {
    let parts = text.split(separator: ":", omittingEmptySubsequences: false)
    guard parts.count == 2, let lower = Double(parts[0]), let upper = Double(parts[1]),
      lower > 0, upper > lower, upper.isFinite
    else {
      throw UsageError(
        message: "scalesweep frontier: --time-range \(text): expected T1:T2 with 0 < T1 < T2")
    }
    return lower...upper
  }

  /// Whether an MPI launcher started this process (then ranks share the bootstrap).
  static var launchedUnderMPI: Bool { Launcher.isPresent }

  /// The finished cells as learning curves; diverged and failed cells are
  /// left out, each named in a warning.
  static func curves(from results: ResultsFile) -> ([LossCurve], [String]) {
    var curves: [LossCurve] = []
    var warnings: [String] = []
    let left = results.cells.filter { $0.status == .diverged || $0.status == .failed }
    if !left.isEmpty {
      let names = left.prefix(8).map { "\($0.cell.index) (\($0.status.name))" }.joined(
        separator: ", ")
      warnings.append(
        "left out \(left.count) diverged or failed cells: \(names)\(left.count > 8 ? ", ..." : "")")
    }
    let pending = results.cells.filter { $0.status == .pending }.count
    if pending > 0 {
      warnings.append("\(pending) cells are still pending; fitting the finished ones")
    }
    let damaged = Set(results.damagedCells)
    if !damaged.isEmpty {
      warnings.append(
        "left out \(damaged.count) cells whose data do not match their checksum: \(results.damagedCells.prefix(8).map(String.init).joined(separator: ", "))\(damaged.count > 8 ? ", ..." : ""); run --resume to train them again"
      )
    }
    // With a constant schedule a shorter budget's curve is the prefix of the
    // longest finished one of the same coordinates: one curve, counted once.
    var longest: [Cell.Coordinates: Int] = [:]
    if results.job.training.schedule.budgetIndependent {
      for record in results.cells
      where record.status == .done && !damaged.contains(record.cell.index) {
        let key = record.cell.coordinates.with(stepsBudget: 0)
        longest[key] = max(longest[key] ?? 0, record.cell.stepsBudget)
      }
    }
    // Each learning-rate rule and batch size of the grid is a study of its
    // own: its curves form their own slices, never averaged with another
    // rate's (a width rule's rate varies with width inside one study).
    let rates = results.job.grid.learningRates
    let batches = results.job.grid.batches
    func study(of cell: Cell) -> String {
      var parts: [String] = []
      if rates.count > 1 {
        let rule =
          rates.firstIndex { $0.value(gamma: cell.gamma, width: cell.width) == cell.learningRate }
          ?? 0
        parts.append("lr#\(rule)")
      }
      if batches.count > 1 { parts.append("batch=\(cell.batch)") }
      return parts.isEmpty ? "" : "," + parts.joined(separator: ",")
    }
    for record in results.cells where record.status == .done && !damaged.contains(record.cell.index)
    {
      let cell = record.cell
      if let top = longest[cell.coordinates.with(stepsBudget: 0)], top > cell.stepsBudget {
        continue
      }
      let task = results.job.tasks[cell.task]
      let row = results.testLoss[cell.index]
      let recorded = row.indices.filter { !row[$0].isNaN }
      let data: Double?
      if case .finite(let p) = cell.data { data = Double(p) } else { data = nil }
      curves.append(
        LossCurve(
          width: Double(cell.width), data: data, gamma: cell.gamma,
          task: (task.parameters?.serialized
            ?? "alpha=\(JSONFormat.number(task.alpha)),beta=\(JSONFormat.number(task.beta))")
            + study(of: cell),
          taskAlpha: task.alpha, taskBeta: task.beta, seed: cell.seed,
          flopsPerStep: record.flopsPerStep, steps: recorded.map { Double(results.steps[$0]) },
          loss: recorded.map { row[$0] },
          // /cells/loss_floor: model 1's exact width bottleneck (NaN = unknown).
          lossFloor: record.lossFloor.isFinite && record.lossFloor > 0 ? record.lossFloor : nil))
    }
    return (curves, warnings)
  }

  /// The required column names of `--table` and the table's text.
  static func tableInput(_ table: String, args: Arguments) throws -> (
    size: String, compute: String, loss: String, text: String
  ) {
    guard let size = args.value("--size-column"), let compute = args.value("--compute-column"),
      let loss = args.value("--loss-column")
    else {
      throw UsageError(
        message:
          "scalesweep frontier --table \(table): --size-column, --compute-column and --loss-column are required"
      )
    }
    guard let text = try? String(contentsOfFile: table, encoding: .utf8) else {
      throw UsageError(message: "\(table): cannot read the table")
    }
    return (size, compute, loss, text)
  }

  static func runTable(_ table: String, args: Arguments, bootstrap: BootstrapOptions) throws
    -> Int32
  {
    let (size, compute, loss, text) = try tableInput(table, args: args)
    let drop = try args.integer("--drop-highest", command: "frontier", in: 0...1_000_000) ?? 0
    let runs: ExternalRuns
    do {
      runs = try ExternalRuns.load(
        csv: text, sizeColumn: size, computeColumn: compute, lossColumn: loss,
        dataColumn: args.value("--data-column")
      ).droppingHighestLosses(drop)
    } catch {
      throw UsageError(message: "\(table): \(error)")
    }
    let report: ExternalFitReport
    do {
      report = try ExternalFrontier.fit(runs, bootstrap: bootstrap)
    } catch {
      throw UsageError(message: "\(table): \(error)")
    }
    Output.block(args.has("--json") ? FrontierJSON.render(report) : FrontierText.render(report))
    return 0
  }

  /// `--table FILE --run-column C`: rows grouped into learning curves, one
  /// per value of column C (a run: one size N, losses at several data
  /// amounts D). Then the same analysis as a results file: L(D) per size,
  /// the envelope, IsoFLOP profiles and the surface, with a bootstrap that
  /// resamples whole runs.
  static func runCurves(_ table: String, args: Arguments, bootstrap: BootstrapOptions) throws
    -> Int32
  {
    for option in ["--write", "--compute", "--time-range", "--lazy-gamma", "--drop-highest"]
    where args.has(option) || args.value(option) != nil {
      throw UsageError(
        message: "scalesweep frontier --table \(table): \(option) does not apply with --run-column")
    }
    let (size, compute, loss, text) = try tableInput(table, args: args)
    guard let run = args.value("--run-column") else {
      throw UsageError(
        message: "scalesweep frontier --table \(table): --run-column needs a column name")
    }
    let curves: [LossCurve]
    let warnings: [String]
    do {
      (curves, warnings) = try TableCurves.load(
        csv: text, runColumn: run, sizeColumn: size, computeColumn: compute, lossColumn: loss,
        dataColumn: args.value("--data-column"))
    } catch {
      throw UsageError(message: "\(table): \(error)")
    }
    var options = FrontierOptions()
    options.bootstrap = bootstrap
    options.computeMeasure = .flops
    options.resampling = .cells
    let plotSize = try args.value("--plot-size").map(plotSize)
    do {
      return try analyze(
        curves, options: options, warnings: warnings.map { "\(table): \($0)" }, args: args,
        path: table, comm: nil, plotSize: plotSize)
    } catch let error as FrontierError {
      throw UsageError(message: "\(table): \(error)")
    }
  }

  static func write(_ text: String, to path: String) throws {
    do {
      try text.write(toFile: path, atomically: true, encoding: .utf8)
    } catch {
      throw UsageError(message: "\(path): cannot write: \(error.localizedDescription)")
    }
  }

  static func writeFiles(_ files: [String: String], to directory: String) throws {
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw UsageError(message: "\(directory): cannot create directory")
    }
    for (name, text) in files {
      try write(text, to: (directory as NSString).appendingPathComponent(name))
    }
  }
}

/// Short number formatting for task labels (`2`, `0.5`).
enum JSONFormat {
  static func number(_ x: Double) -> String {
    x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
  }
}
