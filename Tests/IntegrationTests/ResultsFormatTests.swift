import Foundation
import ResultStore
import Testing

/// docs/results-format.md is true: its h5py example runs on a real results
/// file, and xarray opens the file.
@Suite struct ResultsFormatTests {
  static func pythonBlocks() throws -> [String] {
    let doc = try String(
      contentsOfFile: Harness.packageRoot.appendingPathComponent("docs/results-format.md").path,
      encoding: .utf8)
    return doc.components(separatedBy: "```python\n").dropFirst().map {
      $0.components(separatedBy: "```")[0]
    }
  }

  @Test func documentedExamplesRunOnARealFile() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("demo.h5").path
    let run = try Harness.mpirun(
      ranks: 2, ["run", Harness.fixture("tiny.json"), "--out", out, "--quiet"])
    #expect(run.status == 0, "\(run.stderr)")
    let blocks = try Self.pythonBlocks()
    #expect(blocks.count == 3)
    // open_results from the repository's python/ package.
    let packageExample = dir.appendingPathComponent("package.py").path
    try blocks[0].write(toFile: packageExample, atomically: true, encoding: .utf8)
    let package = try Harness.run(
      Harness.python, [packageExample],
      environment: [
        "RESULTS": out, "PYTHONPATH": Harness.packageRoot.appendingPathComponent("python").path,
      ])
    #expect(package.status == 0, "\(package.stderr)")
    #expect(package.stdout.contains("width"), "\(package.stdout)")
    #expect(package.stdout.contains("test_loss"), "\(package.stdout)")
    let h5pyExample = dir.appendingPathComponent("example.py").path
    try blocks[1].write(toFile: h5pyExample, atomically: true, encoding: .utf8)
    let result = try Harness.run(Harness.python, [h5pyExample], environment: ["RESULTS": out])
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("tiny: N=16 gamma=0.0 budget=120: test loss"))
    #expect(result.stdout.split(separator: "\n").count == 8)

    let xarrayCheck =
      blocks[2].replacingOccurrences(of: "\"out/demo.h5\"", with: "\"\(out)\"") + """

        assert loss["test"].dims == ("cell", "steps"), loss["test"].dims
        assert loss["test"].shape == (64, \(try ResultsFile.read(path: out).steps.count))
        assert int(cells["width"].sel(cell=63)) == 48
        print("xarray ok")
        """
    let xarrayScript = dir.appendingPathComponent("xr.py").path
    try xarrayCheck.write(toFile: xarrayScript, atomically: true, encoding: .utf8)
    let xr = try Harness.run(Harness.python, [xarrayScript])
    #expect(xr.status == 0, "\(xr.stderr)")
    #expect(xr.stdout.contains("xarray ok"))
  }

  @Test func h5dumpReadsTheFile() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("t.h5").path
    #expect(
      try Harness.scalesweep(["run", Harness.fixture("tiny.json"), "--out", out, "--quiet"]).status
        == 0)
    let dump = try Harness.run("/usr/bin/h5dump", ["-H", out])
    #expect(dump.status == 0)
    #expect(dump.stdout.contains("DATASET \"test\""))
  }
}
