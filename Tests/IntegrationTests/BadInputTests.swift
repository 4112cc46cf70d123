import Foundation
import Testing

/// Every malformed job file: exit 2, one line naming the file and the key, no output.
@Suite struct BadInputTests {
  struct Case: CustomStringConvertible, Sendable {
    var file: String
    var expected: String
    var description: String { file }
  }

  static let cases: [Case] = {
    let manifest =
      (try? String(contentsOfFile: Harness.fixture("bad-jobs/expected.tsv"), encoding: .utf8)) ?? ""
    return manifest.split(separator: "\n").filter { !$0.hasPrefix("#") }.map {
      let parts = $0.split(separator: "\t", maxSplits: 1).map(String.init)
      return Case(file: parts[0], expected: parts[1])
    }
  }()

  @Test func corpusIsLarge() {
    #expect(Self.cases.count >= 40)
  }

  @Test(arguments: cases)
  func malformedJobIsRejectedCleanly(_ c: Case) throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let job = Harness.fixture("bad-jobs/\(c.file)")
    let out = dir.appendingPathComponent("out.h5").path
    for arguments in [["run", job, "--out", out], ["plan", job]] {
      let result = try Harness.scalesweep(arguments)
      #expect(result.status == 2, "\(arguments[0]) \(c.file): exit \(result.status)")
      let lines = result.stderr.split(separator: "\n")
      #expect(lines.count == 1, "\(c.file): \(result.stderr)")
      #expect(
        result.stderr.contains(job), "\(c.file): error does not name the file: \(result.stderr)")
      #expect(
        result.stderr.contains(c.expected),
        "\(c.file): expected \"\(c.expected)\" in \(result.stderr)")
    }
    let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
    #expect(left.isEmpty, "\(c.file) left files behind: \(left)")
  }

  @Test func badJobUnderMpirunPrintsOneLine() throws {
    let job = Harness.fixture("bad-jobs/27-grid-width-negative.json")
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let result = try Harness.mpirun(
      ranks: 2, ["run", job, "--out", dir.appendingPathComponent("o.h5").path])
    #expect(result.status != 0)
    #expect(result.stderr.components(separatedBy: "error: ").count == 2, "\(result.stderr)")
  }
}
