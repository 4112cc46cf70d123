import Foundation
import SweepSpec
import Testing

@Suite struct ArithmeticExpressionTests {
  let names = CommandSpec.coordinateNames

  @Test func precedenceAndAssociativity() throws {
    let values: [String: Double] = ["width": 3, "steps": 10, "batch": 2]
    func value(_ text: String) throws -> Double {
      try ArithmeticExpression(text, names: names).evaluate(values)
    }
    #expect(try value("1 + 2 * 3") == 7)
    #expect(try value("(1 + 2) * 3") == 9)
    #expect(try value("2 ^ 3 ^ 2") == 512)  // right-associative: 2^(3^2)
    #expect(try value("-2 ^ 2") == -4 || value("-2 ^ 2") == 4)
    #expect(try value("width * width * steps") == 90)
    #expect(try value("6 * width ^ 2 * batch") == 108)
    #expect(try value("steps / 4 - 1") == 1.5)
    #expect(try value("1e3 * width") == 3000)
  }

  @Test func refusesWhatDoesNotParseAndUnknownNames() {
    for text in ["", "width *", "(width", "width steps", "2 ** 3", "width $ 2"] {
      #expect(throws: ArithmeticExpression.ParseError.self) {
        try ArithmeticExpression(text, names: names)
      }
    }
    #expect(throws: ArithmeticExpression.ParseError.self) {
      try ArithmeticExpression("width * depth", names: names)
    }
    #expect(throws: ArithmeticExpression.ParseError.self) {
      try ArithmeticExpression("task.depth * width", names: names, taskKeys: [])
    }
    #expect(
      (try? ArithmeticExpression("task.depth * width", names: names, taskKeys: ["depth"]))?.names
        == ["task.depth", "width"])
  }
}

@Suite struct CommandJobTests {
  static let text = """
    {"name": "cmd",
     "model": {"kind": "command", "argv": ["python3", "t.py", "--w", "{width}", "{task.size}"],
               "env": {"A": "{seed}"}, "timeout": 60, "cost": "width * steps * task.size",
               "flops_per_step": "6 * width * batch"},
     "task": [{"size": 2, "name": "small"}, {"size": 4, "name": "big"}],
     "grid": {"width": [8, 16], "steps": [10, 100]},
     "training": {"batch": 4}}
    """

  @Test func parsesDefaultsAndRoundTrips() throws {
    let job = try JobSpec.parse(Self.text, file: "cmd.json")
    guard case .command(let spec) = job.model else {
      Issue.record("not a command job")
      return
    }
    #expect(spec.argv == ["python3", "t.py", "--w", "{width}", "{task.size}"])
    #expect(spec.timeout == 60)
    #expect(spec.devicesPerRank == 0)
    #expect(job.grid.gammas == [0])
    #expect(job.grid.learningRates == [.constant(0)] && job.grid.batches == [4])
    #expect(job.learningRate(of: job.cells[0]) == nil && job.batch(of: job.cells[0]) == 4)
    #expect(job.cellCount == 8)
    let again = try JobSpec.parse(job.normalizedJSON, file: "normalized")
    #expect(again == job)
    #expect(again.normalizedJSON == job.normalizedJSON)
    // cost and FLOPs from the expressions; the task's number is a coordinate.
    let cell = job.cells[7]  // task 1, width 16, steps 100
    #expect(job.handOutCost(of: cell) == Double(16 * 100 * 4))
    #expect(job.cost(of: cell).flopsPerStep == Double(6 * 16 * 4))
    let values = job.placeholderValues(of: cell, checkpointDirectory: "/c")
    #expect(values["task"] == "{\"size\":4,\"name\":\"big\"}")
    #expect(values["task.name"] == "big")
    #expect(values["lr"] == "")
    #expect(PlaceholderTemplate.expand("{width}-{{x}}-{task.size}", values) == "16-{x}-4")
  }

  @Test func withoutCostTheHandOutCostIsUnknown() throws {
    let text = Self.text.replacingOccurrences(
      of: "\"cost\": \"width * steps * task.size\",", with: "")
    let job = try JobSpec.parse(text, file: "cmd.json")
    #expect(job.cells.allSatisfy { job.handOutCost(of: $0) == nil })
  }
}

@Suite struct LearnedCostTests {
  /// Seconds = 2e-6 * width^1.5 * steps: the fit recovers both slopes.
  @Test func recoversAPowerLawCost() throws {
    var cost = LearnedCost()
    #expect(cost.seconds(width: 8, steps: 10) == nil)
    for width in [8, 16, 32] {
      for steps in [100, 1000] {
        cost.observe(
          width: width, steps: steps, seconds: 2e-6 * pow(Double(width), 1.5) * Double(steps))
      }
    }
    let predicted = try #require(cost.seconds(width: 128, steps: 5000))
    #expect(abs(predicted / (2e-6 * pow(128, 1.5) * 5000) - 1) < 1e-9)
  }

  /// One width seen: cost is taken proportional to width (slope 1).
  @Test func oneWidthAssumesProportionalCost() throws {
    var cost = LearnedCost()
    cost.observe(width: 10, steps: 100, seconds: 2)
    cost.observe(width: 10, steps: 200, seconds: 4)
    let predicted = try #require(cost.seconds(width: 20, steps: 100))
    #expect(abs(predicted - 4) < 1e-9)
  }
}
