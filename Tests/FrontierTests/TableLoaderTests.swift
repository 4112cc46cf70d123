import Foundation
import Frontier
import Testing

@Suite struct TableLoaderTests {
  @Test func explicitDataColumnAndBadRows() throws {
    let csv = """
      name,N,tokens,C,loss
      "a, quoted",1e6,2e7,1.2e14,3.1
      b,2e6,2e7,2.4e14,nan
      c,4e6,,4.8e14,2.9
      d,8e6,2e7,9.6e14,2.7
      """
    let runs = try ExternalRuns.load(
      csv: csv, sizeColumn: "N", computeColumn: "C", lossColumn: "loss", dataColumn: "tokens")
    #expect(runs.count == 2)
    #expect(runs.data == [2e7, 2e7])
    #expect(runs.warnings.count == 1 && runs.warnings[0].contains("rows 2, 3"))
  }

  @Test func missingColumnNamesAlternatives() {
    #expect(throws: FrontierError.missingColumn(name: "Loss", available: ["N", "C", "loss"])) {
      try ExternalRuns.load(
        csv: "N,C,loss\n1,2,3\n", sizeColumn: "N", computeColumn: "C", lossColumn: "Loss")
    }
    #expect(throws: FrontierError.self) { try CSVTable(text: "a,b\n1\n") }
    #expect(throws: FrontierError.self) { try CSVTable(text: "a,b\n\"1,2\n") }
  }

  /// The window rule skips a flat transient and a late plateau.
  @Test func timeWindowAvoidsTransientAndPlateau() throws {
    let steps = (0...48).map { pow(10, Double($0) / 8) }
    // Flat until t ~ 10, then t^-0.6, plateau 1e-3 beyond.
    let loss = steps.map { 1 / (1 + pow($0 / 10, 0.6)) + 1e-3 }
    let fit = try PowerLawFit.fitBestWindow(x: steps, y: loss, policy: .time)
    #expect(abs(fit.exponent + 0.6) < 0.04, "\(fit.exponent)")
    #expect(fit.windowLower >= 10 && fit.windowUpper <= 1e5)
  }

  /// A fixed window fits exactly the records inside it, transient and
  /// plateau included, and needs three of them.
  @Test func fixedWindowFitsTheRecordsInsideIt() throws {
    let steps = (0...48).map { pow(10, Double($0) / 8) }
    let loss = steps.map { 1 / (1 + pow($0 / 10, 0.6)) + 1e-3 }
    let policy = FitWindowPolicy.time.fixed(to: 1...1e6)
    let fixed = try PowerLawFit.fitBestWindow(x: steps, y: loss, policy: policy)
    let all = try PowerLawFit.fit(x: steps, y: loss)
    #expect(fixed == all)
    let range = 9e3...1.1e6
    let late = try PowerLawFit.fitBestWindow(x: steps, y: loss, policy: .time.fixed(to: range))
    let inside = steps.indices.filter { range.contains(steps[$0]) }
    #expect(inside.count == 17)
    #expect(late == (try PowerLawFit.fit(x: inside.map { steps[$0] }, y: inside.map { loss[$0] })))
    // The automatic search would not reach into the plateau: it fits -0.6.
    #expect(late.exponent > -0.5, "the plateau flattens the late window: \(late.exponent)")
    #expect(throws: FrontierError.self) {
      try PowerLawFit.fitBestWindow(x: steps, y: loss, policy: .time.fixed(to: 2...3))
    }
  }

  @Test func powerLawFitIsExactOnAPowerLaw() throws {
    let x = [1.0, 10, 100, 1000]
    let fit = try PowerLawFit.fit(x: x, y: x.map { 3 * pow($0, -0.7) })
    #expect(
      abs(fit.exponent + 0.7) < 1e-12 && abs(fit.prefactor - 3) < 1e-10 && fit.rSquared > 0.999999)
    #expect(throws: FrontierError.self) { try PowerLawFit.fit(x: [1], y: [1]) }
  }
}
