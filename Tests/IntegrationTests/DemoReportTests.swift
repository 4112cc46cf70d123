import Foundation
import Testing

/// `make demo`'s job end to end: the summary a researcher reads first, no
/// degenerate number anywhere in the report, the tidy export and the Python
/// reader. About 15 s on 2 ranks.
@Suite struct DemoReportTests {
  @Test func demoSummaryExportAndPython() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("demo.h5").path
    let job = Harness.packageRoot.appendingPathComponent("jobs/demo.json").path
    let run = try Harness.mpirun(ranks: 2, ["run", job, "--out", out, "--quiet"])
    try #require(run.status == 0, "\(run.stderr)")
    let json = dir.appendingPathComponent("frontier.json").path
    let svg = dir.appendingPathComponent("plot.svg").path
    let frontier = try Harness.scalesweep([
      "frontier", out, "--compute", "nt", "--bootstrap", "40", "--details", "--json-file", json,
      "--svg", svg,
    ])
    try #require(frontier.status == 0, "\(frontier.stderr)")
    let text = frontier.stdout
    // The summary first: the verdict with both time exponents, intervals
    // and theory, the compute-optimal table and the final losses.
    let summary = text.components(separatedBy: "Details (every statistic")[0]
    #expect(summary.split(separator: "\n").count < 60, "\(summary)")
    #expect(summary.contains("hard task (alpha 2, beta 0.5), online data"), "\(summary)")
    // The verdict on training speed: exponents with intervals and theory,
    // or, where a rule rejects them, "not compared" with theory and reason.
    #expect(summary.contains("0.6667 vs 0.5)"), "\(summary)")
    // The demo's job is chosen so that the verdict is measured, not only
    // theory: rich decays faster and ends lower (docs/frontier.md).
    #expect(summary.contains("feature learning speeds up training: time exponent"), "\(summary)")
    #expect(summary.contains("final test loss at t = 5000"), "\(summary)")
    #expect(summary.contains("final loss: rich ends lower at all 4 widths"), "\(summary)")
    // Exponents positive, as the paper writes them.
    #expect(!summary.contains("time exponent -"), "\(summary)")
    let reportJSON = try String(contentsOfFile: json, encoding: .utf8)
    for report in [text, reportJSON] {
      let extreme = ReportScan.extremeNumbers(in: report)
      #expect(extreme.isEmpty, "\(extreme)")
    }
    #expect(FileManager.default.fileExists(atPath: svg))
    if FileManager.default.isExecutableFile(atPath: "/usr/bin/rsvg-convert") {
      for ext in ["png", "pdf"] {
        let path = dir.appendingPathComponent("plot.\(ext)").path
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        #expect(size > 5_000, "plot.\(ext): \(size) bytes")
      }
    }

    // Tidy data: one row per recorded point of every cell.
    let csv = dir.appendingPathComponent("demo.csv").path
    let export = try Harness.scalesweep(["export", out, "--csv", csv])
    try #require(export.status == 0, "\(export.stderr)")
    let lines = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n")
    #expect(
      lines[0]
        == "cell,alpha,beta,width,data,gamma,lr,batch,seed,budget,step,train_loss,test_loss,status")
    // 16 cells x 28 distinct recorded steps (30 log-spaced points, the first ones round alike).
    #expect(lines.count == 1 + 16 * 28, "\(lines.count)")
    // lr is the cell's: lazy 0.5, rich (gamma 4) 0.06.
    #expect(
      lines.contains { $0.hasPrefix("0,2,0.5,64,online,0,0.5,32,0,5000,5000,") }, "\(lines[1])")
    #expect(
      lines.contains { $0.hasPrefix("2,2,0.5,64,online,4,0.06,32,0,5000,5000,") }, "\(lines[1])")
    let stdout = try Harness.scalesweep(["export", out, "--csv", "-"])
    #expect(stdout.stdout.split(separator: "\n").count == lines.count)

    // open_results: a labelled Dataset; final losses as a DataFrame in one line.
    let script = """
      import sys
      sys.path.insert(0, sys.argv[2])
      from scalesweep_results import open_results, final_losses
      ds = open_results(sys.argv[1])
      assert ds.test_loss.dims == ("task", "width", "data", "gamma", "seed", "budget", "step"), ds.test_loss.dims
      assert list(ds.data.values) == ["online"], ds.data.values
      assert list(ds.width.values) == [64, 128, 256, 512]
      assert float(ds.alpha.sel(task="alpha=2,beta=0.5")) == 2.0
      assert (ds.status == "done").all()
      frame = final_losses(ds)
      assert len(frame) == 16 and (frame.step == 5000).all(), frame
      print("open_results ok")
      """
    let path = dir.appendingPathComponent("check.py").path
    try script.write(toFile: path, atomically: true, encoding: .utf8)
    let python = try Harness.run(
      Harness.python, [path, out, Harness.packageRoot.appendingPathComponent("python").path])
    #expect(python.status == 0, "\(python.stderr)")
    #expect(python.stdout.contains("open_results ok"))
  }
}
