import Foundation
import SweepSpec
import Testing

@Suite struct JobSpecTests {
  static let example = """
    {
      "name": "hard-task-lazy-vs-rich",
      "model": {"kind": "projected-features", "features": 4096},
      "task": {"alpha": 2.0, "beta": 0.5},
      "grid": {"width": [64, 128, 256], "data": ["online", 1024], "gamma": [0.0, 1.0],
               "seeds": 2, "steps": [4000]},
      "training": {"batch": 32, "lr": 0.5, "record_points": 30}
    }
    """

  @Test func issueExampleParsesWithItsValues() throws {
    let job = try JobSpec.parse(Self.example, file: "x.json")
    #expect(job.name == "hard-task-lazy-vs-rich")
    #expect(job.model == .projectedFeatures(features: 4096))
    #expect(job.tasks == [TaskSpec(alpha: 2, beta: 0.5)])
    #expect(job.grid.widths == [64, 128, 256])
    #expect(job.grid.data == [.online, .finite(1024)])
    #expect(job.grid.gammas == [0, 1])
    #expect(job.grid.seeds == [0, 1])
    #expect(job.grid.learningRates == [.constant(0.5)])
    #expect(job.cellCount == 24)
  }

  @Test func defaultsFillOptionalKeys() throws {
    let job = try JobSpec.parse(
      #"{"name":"d","model":{"kind":"projected-features"},"task":{"alpha":2,"beta":1},"grid":{"width":8,"steps":[10]},"training":{"lr":0.1}}"#,
      file: "d.json")
    #expect(job.model == .projectedFeatures(features: 4096))
    #expect(job.grid.data == [.online])
    #expect(job.grid.gammas == [0])
    #expect(job.grid.seeds == [0])
    #expect(job.grid.batches == [32])
    #expect(job.training.recordPoints == 30)
  }

  @Test func cellsAreInCanonicalOrderWithStepsFastest() throws {
    let job = try JobSpec.parse(Self.example, file: "x.json")
    let cells = job.cells
    #expect(cells.map(\.index) == Array(0..<24))
    #expect(
      cells[0]
        == Cell(
          index: 0, task: 0, width: 64, data: .online, gamma: 0, learningRate: 0.5, batch: 32,
          seed: 0, stepsBudget: 4000))
    #expect(cells[1].seed == 1)
    #expect(cells[2].gamma == 1)
    #expect(cells[4].data == .finite(1024))
    #expect(cells[8].width == 128)
  }

  @Test func normalisedJobRoundTrips() throws {
    let job = try JobSpec.parse(Self.example, file: "x.json")
    let again = try JobSpec.parse(job.normalizedJSON, file: "normalised")
    #expect(again == job)
    #expect(again.normalizedJSON == job.normalizedJSON)
  }

  @Test func unknownKeysGetADidYouMeanHint() {
    let text = Self.example.replacingOccurrences(of: "\"record_points\"", with: "\"record_pionts\"")
    #expect(
      throws: JobSpecError.unknownKey(
        file: "x.json", key: "training.record_pionts", suggestion: "record_points")
    ) {
      try JobSpec.parse(text, file: "x.json")
    }
  }

  @Test func errorsNameFileKeyValueAndExpectation() {
    let text = Self.example.replacingOccurrences(of: "[64, 128, 256]", with: "[64, -128]")
    do {
      _ = try JobSpec.parse(text, file: "jobs/bad.json")
      Issue.record("accepted a negative width")
    } catch {
      #expect(
        error.description
          == "jobs/bad.json: grid.width[1]: got -128, expected an integer from 1 to 65536")
    }
  }

  @Test func syntaxErrorsGiveLineAndColumn() {
    do {
      _ = try JobSpec.parse("{\n  \"name\": \"x\",\n  oops\n}", file: "s.json")
      Issue.record("accepted bad JSON")
    } catch {
      #expect(
        error == .syntax(file: "s.json", line: 3, column: 3, message: "expected a quoted key"))
    }
  }

  @Test func recordScheduleIsLogSpacedAndEndsAtTheBudget() {
    #expect(RecordSchedule.steps(budget: 1000, points: 4) == [1, 10, 100, 1000])
    #expect(RecordSchedule.steps(budget: 5, points: 30) == [1, 2, 3, 4, 5])
    let s = RecordSchedule.steps(budget: 4000, points: 30)
    #expect(s.first == 1 && s.last == 4000 && s == s.sorted() && Set(s).count == s.count)
  }

  @Test func taskDifficultyClasses() {
    #expect(TaskSpec(alpha: 2, beta: 0.5).difficulty == .hard)
    #expect(TaskSpec(alpha: 2, beta: 1.25).difficulty == .easy)
    #expect(TaskSpec(alpha: 2, beta: 2).difficulty == .superEasy)
  }
}

@Suite struct JSONParserTests {
  @Test func keepsIntegersOrderAndEscapes() throws {
    let v = try JSONParser.parse(#"{"b": 2, "a": [1.5, -0.0, 1e3, "x\u00e9\n", true, null]}"#)
    guard case .object(let members) = v else {
      Issue.record("not an object")
      return
    }
    #expect(members.map(\.key) == ["b", "a"])
    #expect(members[0].value == .integer(2))
    #expect(
      members[1].value
        == .array([
          .number(1.5), .number(-0.0), .number(1000), .string("x\u{e9}\n"), .bool(true), .null,
        ]))
  }

  @Test(arguments: ["", "{", "[1,]", "01", "1.", "\"abc", "{\"a\" 1}", "nul", "[1] 2", "\"\\x\""])
  func rejectsMalformedDocuments(_ text: String) {
    #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
  }

  @Test func serialisationRoundTrips() throws {
    let text = #"{"k":[1,2.5,"a\"b",{"z":null}]}"#
    #expect(try JSONParser.parse(text).serialized == text)
  }
}
