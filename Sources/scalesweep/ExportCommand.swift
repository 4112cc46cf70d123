import Foundation
import ResultStore
import SweepSpec

/// `scalesweep export FILE.h5 --csv OUT.csv`: the results as one tidy table.
enum ExportCommand {
  static let help = """
    usage: scalesweep export FILE.h5 --csv OUT.csv

    Writes the results file as a long ("tidy") CSV table: one row per cell and
    recorded step, with the columns
      cell, <task fields by name: alpha, beta, q, ...>, width, data, gamma,
      lr, batch, seed, budget, step, train_loss, test_loss, status
    data is "online" or the data set size; status is pending, done, diverged
    or failed; a loss that was not recorded (or diverged) is empty. lr and
    batch are the cell's (/cells/lr, /cells/batch; for older files the job's
    values). Pending cells have one row with empty step and losses.
    OUT.csv "-" writes to stdout. Read it with pandas.read_csv(OUT.csv).

      --csv OUT.csv     the table to write ("-" for stdout)
    """

  static func run(_ words: [String]) throws -> Int32 {
    let args = try Arguments(words, command: "export", flags: [], options: ["--csv"])
    let path = try args.single("results file", command: "export")
    guard let out = args.value("--csv") else {
      throw UsageError(message: "scalesweep export \(path): --csv OUT.csv is required")
    }
    let results = try ResultsFile.read(path: path)
    let text = try table(results)
    if out == "-" {
      FileHandle.standardOutput.write(Data(text.utf8))
    } else {
      try FrontierCommand.write(text, to: out)
    }
    return 0
  }

  /// The task fields as the job file names them, in order of first appearance.
  static func taskColumns(_ results: ResultsFile) -> (names: [String], values: [[String: String]]) {
    let root =
      (try? JSONSerialization.jsonObject(with: Data(results.jobJSON.utf8))) as? [String: Any]
    let raw: [[String: Any]]
    if let list = root?["task"] as? [[String: Any]] {
      raw = list
    } else if let one = root?["task"] as? [String: Any] {
      raw = [one]
    } else {
      raw = []
    }
    guard raw.count == results.job.tasks.count else {
      // Fall back to the parsed exponents.
      return (
        ["alpha", "beta"],
        results.job.tasks.map { ["alpha": number($0.alpha), "beta": number($0.beta)] }
      )
    }
    var names: [String] = []
    for task in raw {
      for key in task.keys.sorted() where !names.contains(key) { names.append(key) }
    }
    let values = raw.map { task in
      task.mapValues { value -> String in
        if let text = value as? String { return text }
        if let n = value as? Double { return number(n) }
        return "\(value)"
      }
    }
    return (names, values)
  }

  static func table(_ results: ResultsFile) throws -> String {
    let count = results.cells.count
    let (taskNames, taskValues) = taskColumns(results)
    let header =
      ["cell"] + taskNames + [
        "width", "data", "gamma", "lr", "batch", "seed", "budget", "step", "train_loss",
        "test_loss", "status",
      ]
    var lines = [header.map(quote).joined(separator: ",")]
    lines.reserveCapacity(count * results.steps.count / 2 + 1)
    for record in results.cells {
      let cell = record.cell
      let task = taskValues[cell.task]
      // /cells/lr and /cells/batch (older files: the job's values, filled in on reading).
      let rate = cell.learningRate
      let size = Double(cell.batch)
      let prefix =
        ["\(cell.index)"] + taskNames.map { quote(task[$0] ?? "") } + [
          "\(cell.width)", cell.data.description, number(cell.gamma), number(rate), number(size),
          "\(cell.seed)", "\(cell.stepsBudget)",
        ]
      let test = results.testLoss[cell.index]
      let train = results.trainLoss[cell.index]
      let recorded = results.steps.indices.filter {
        results.steps[$0] <= cell.stepsBudget && (!test[$0].isNaN || !train[$0].isNaN)
      }
      if recorded.isEmpty {
        lines.append((prefix + ["", "", "", record.status.name]).joined(separator: ","))
        continue
      }
      for j in recorded {
        lines.append(
          (prefix + [
            "\(results.steps[j])", loss(train[j]), loss(test[j]), record.status.name,
          ]).joined(separator: ","))
      }
    }
    return lines.joined(separator: "\n") + "\n"
  }

  static func loss(_ x: Double) -> String { x.isFinite ? String(format: "%.10g", x) : "" }

  static func number(_ x: Double) -> String {
    x.isFinite ? (x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : "\(x)") : ""
  }

  static func quote(_ s: String) -> String {
    s.contains(",") || s.contains("\"") || s.contains("\n")
      ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
  }
}
