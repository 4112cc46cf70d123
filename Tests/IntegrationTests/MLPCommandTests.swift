import Foundation
import ResultStore
import SweepSpec
import Testing

/// mlp-circle jobs through the built binary: determinism across rank counts,
/// bad inputs, `bench` and `theory`.
@Suite struct MLPCommandTests {
  @Test func sameBitsOnOneTwoAndThreeRanks() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let job = Harness.fixture("mlp-tiny.json")
    let files = try Harness.resultsOnRankCounts(job, [1, 2, 3], in: dir)
    let reference = files[0]
    #expect(reference.cells.count == 64)
    #expect(reference.cells.allSatisfy { $0.status == .done })
    // flops_per_step = 2 B N (3 (D - 2) N + 6) for every cell.
    for record in reference.cells {
      let n = Double(record.cell.width)
      #expect(record.flopsPerStep == 2 * 16 * n * (3 * n + 6))
    }
    for other in files.dropFirst() {
      #expect(other.jobJSON == reference.jobJSON)
      for (a, b) in zip(reference.cells, other.cells) {
        #expect(a.cell == b.cell)
        #expect(a.status == b.status)
        #expect(a.flopsPerStep == b.flopsPerStep)
      }
      #expect(Harness.bits(other.testLoss) == Harness.bits(reference.testLoss))
      #expect(Harness.bits(other.trainLoss) == Harness.bits(reference.trainLoss))
    }
    #expect(Set(files[2].cells.map(\.rank)).count > 1)

    // The frontier labels gamma0 = 0.01 lazy and 1 rich for this model, and
    // --time-range fits every width over the same steps.
    let frontier = try Harness.scalesweep([
      "frontier", dir.appendingPathComponent("r1.h5").path, "--json", "--bootstrap", "0",
      "--time-range", "5:150",
    ])
    #expect(frontier.status == 0, "\(frontier.stderr)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(frontier.stdout.utf8)) as? [String: Any])
    let slices = try #require(json["slices"] as? [[String: Any]])
    #expect(slices.count == 8)
    for slice in slices {
      let gamma = try #require(slice["gamma"] as? Double)
      #expect(slice["regime"] as? String == (gamma == 0.01 ? "lazy" : "rich"))
      for fit in slice["timeFits"] as? [[String: Any]] ?? [] {
        let window = try #require(fit["window"] as? [Double])
        #expect(window[0] >= 5 && window[1] <= 150, "window \(window)")
      }
    }
  }

  struct BadJob: CustomStringConvertible, Sendable {
    var name: String
    var key: String
    var text: String
    var description: String { name }
  }

  static let valid = """
    "name": "bad", "task": {"q": 1}, "grid": {"width": [8], "gamma": [1], "steps": [10]}, "training": {"lr": 0.5}
    """

  static let badJobs: [BadJob] = [
    BadJob(
      name: "unknown model key", key: "model.dpeth",
      text: #"{"model": {"kind": "mlp-circle", "dpeth": 3}, \#(valid)}"#),
    BadJob(
      name: "kind misspelt", key: "model.kind",
      text: #"{"model": {"kind": "mlp-circel", "depth": 3}, \#(valid)}"#),
    BadJob(
      name: "depth missing", key: "model.depth",
      text: #"{"model": {"kind": "mlp-circle"}, \#(valid)}"#),
    BadJob(
      name: "depth too small", key: "model.depth",
      text: #"{"model": {"kind": "mlp-circle", "depth": 2}, \#(valid)}"#),
    BadJob(
      name: "features on mlp", key: "model.features",
      text: #"{"model": {"kind": "mlp-circle", "depth": 3, "features": 64}, \#(valid)}"#),
    BadJob(
      name: "test grid too coarse", key: "model.test_points",
      text:
        #"{"model": {"kind": "mlp-circle", "depth": 3, "modes": 64, "test_points": 100}, \#(valid)}"#
    ),
    BadJob(
      name: "gamma zero", key: "grid.gamma[1]",
      text: #"""
        {"name": "bad", "model": {"kind": "mlp-circle", "depth": 3}, "task": {"q": 1},
         "grid": {"width": [8], "gamma": [1, 0], "steps": [10]}, "training": {"lr": 0.5}}
        """#),
    BadJob(
      name: "gamma missing", key: "grid.gamma",
      text: #"""
        {"name": "bad", "model": {"kind": "mlp-circle", "depth": 3}, "task": {"q": 1},
         "grid": {"width": [8], "steps": [10]}, "training": {"lr": 0.5}}
        """#),
    BadJob(
      name: "alpha on circle task", key: "task.alpha",
      text: #"""
        {"name": "bad", "model": {"kind": "mlp-circle", "depth": 3}, "task": {"alpha": 2, "beta": 0.5},
         "grid": {"width": [8], "gamma": [1], "steps": [10]}, "training": {"lr": 0.5}}
        """#),
    BadJob(
      name: "q and beta", key: "task.beta",
      text: #"""
        {"name": "bad", "model": {"kind": "mlp-circle", "depth": 3}, "task": {"q": 1, "beta": 0.5},
         "grid": {"width": [8], "gamma": [1], "steps": [10]}, "training": {"lr": 0.5}}
        """#),
    BadJob(
      name: "q too small", key: "task[1].q",
      text: #"""
        {"name": "bad", "model": {"kind": "mlp-circle", "depth": 3}, "task": [{"q": 1}, {"q": 0.5}],
         "grid": {"width": [8], "gamma": [1], "steps": [10]}, "training": {"lr": 0.5}}
        """#),
    BadJob(
      name: "phases unknown", key: "task.phases",
      text: #"""
        {"name": "bad", "model": {"kind": "mlp-circle", "depth": 3}, "task": {"q": 1, "phases": "none"},
         "grid": {"width": [8], "gamma": [1], "steps": [10]}, "training": {"lr": 0.5}}
        """#),
    BadJob(
      name: "relu power below 1", key: "model.activation.relu_power",
      text: #"""
        {"name": "bad", "model": {"kind": "mlp-circle", "depth": 3, "activation": {"relu_power": 0.5}},
         "task": {"q": 1}, "grid": {"width": [8], "gamma": [1], "steps": [10]}, "training": {"lr": 0.5}}
        """#),
    BadJob(
      name: "activation unknown", key: "model.activation",
      text: #"""
        {"name": "bad", "model": {"kind": "mlp-circle", "depth": 3, "activation": "tanh"},
         "task": {"q": 1}, "grid": {"width": [8], "gamma": [1], "steps": [10]}, "training": {"lr": 0.5}}
        """#),
    BadJob(
      name: "task empty", key: "task.q",
      text: #"""
        {"name": "bad", "model": {"kind": "mlp-circle", "depth": 3}, "task": {},
         "grid": {"width": [8], "gamma": [1], "steps": [10]}, "training": {"lr": 0.5}}
        """#),
  ]

  @Test(arguments: badJobs)
  func badMLPJobIsRejected(_ bad: BadJob) throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let path = dir.appendingPathComponent("bad.json").path
    try bad.text.write(toFile: path, atomically: true, encoding: .utf8)
    for arguments in [["plan", path], ["theory", path]] {
      let result = try Harness.scalesweep(arguments)
      #expect(result.status == 2, "\(bad.name): exit \(result.status) \(result.stderr)")
      #expect(result.stderr.split(separator: "\n").count == 1, "\(bad.name): \(result.stderr)")
      #expect(result.stderr.contains(path + ": " + bad.key), "\(bad.name): \(result.stderr)")
    }
  }

  @Test func benchReportsEveryModelAgainstSgemm() throws {
    let result = try Harness.scalesweep([
      "bench", "--widths", "16,32", "--seconds", "0.02", "--json",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let sgemm = try #require(object?["sgemm_gflops"] as? Double)
    #expect(sgemm > 1)
    let rows = try #require(object?["rows"] as? [[String: Any]])
    // projected-features (double) and mlp-circle single and double, two widths each.
    #expect(rows.count == 6)
    for row in rows {
      let rate = try #require(row["steps_per_second"] as? Double)
      let gflops = try #require(row["gflops"] as? Double)
      #expect(rate > 0 && gflops > 0)
    }
  }

  @Test func theoryMeasuresAlphaNearTwoForTheCircle() throws {
    let result = try Harness.scalesweep([
      "theory", Harness.fixture("mlp-tiny.json"), "--ntk-width", "128", "--json",
    ])
    #expect(result.status == 0, "\(result.stderr)")
    let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    let tasks = try #require(object?["tasks"] as? [[String: Any]])
    #expect(tasks.count == 2)
    let alpha = try #require(tasks[0]["alpha"] as? Double)
    #expect(abs(alpha - 2) < 0.2, "alpha \(alpha)")
    #expect(tasks[0]["task_class"] as? String == "hard")
    #expect(tasks[1]["task_class"] as? String == "easy")
    let q = try #require(tasks[1]["q"] as? Double)
    #expect(abs(q - 1.75) < 1e-9)
    let regimes = try #require(tasks[0]["regimes"] as? [String: Any])
    let rich = try #require(regimes["rich"] as? [String: Any])
    let lazy = try #require(regimes["lazy"] as? [String: Any])
    #expect((rich["time"] as? Double ?? 0) > (lazy["time"] as? Double ?? 1))
    #expect(tasks[0]["phases"] as? String == "random")
    // The kernel-at-init baseline: every width, over the default window (the
    // last two decades of the longest budget, 150), a falling loss from 1.
    for task in tasks {
      let baseline = try #require(task["kernel_at_init"] as? [String: Any])
      #expect(baseline["window"] as? [Double] == [1.5, 150])
      let widths = try #require(baseline["widths"] as? [[String: Any]])
      #expect(widths.map { $0["width"] as? Int } == [16, 24])
      for row in widths {
        #expect(row["points"] as? Int == 129)
        #expect(row["learning_rate"] as? Double == 0.5)
        let loss = try #require(row["loss"] as? [Double])
        #expect(loss.first! < 1 && loss.first! > 0.5)
        #expect(zip(loss, loss.dropFirst()).allSatisfy { $0.1 <= $0.0 })
        let exponent = try #require(row["exponent"] as? Double)
        #expect(exponent > 0 && exponent < 2, "exponent \(exponent)")
      }
    }
    let skipped = try Harness.scalesweep([
      "theory", Harness.fixture("mlp-tiny.json"), "--no-baseline", "--json",
    ])
    #expect(!skipped.stdout.contains("kernel_at_init"))
  }

}
