import Foundation
import SweepSpec
import Training

/// The kernel-at-init baselines of `scalesweep theory`: computed once per
/// width (one kernel and one eigendecomposition serve every task) and shown
/// per task beside the infinite-width exponent.
enum KernelAtInitReport {
  /// `eta0` of the job's lazy cells at `width`: the first rate of the smallest
  /// gamma0 (the rate may depend on width through a width rule).
  static func lazyRate(job: JobSpec, width: Int) -> Double? {
    guard let gamma = job.grid.gammas.min() else { return nil }
    return job.cells.first { $0.width == width && $0.gamma == gamma }?.learningRate
  }

  /// `[task][width]` baselines at `steps`, widths in the job's order.
  static func baselines(job: JobSpec, points: Int, steps: [Double]) -> [[KernelAtInitBaseline]] {
    var out = [[KernelAtInitBaseline]](repeating: [], count: job.tasks.count)
    for width in job.grid.widths.sorted() {
      guard let eta0 = lazyRate(job: job, width: width),
        let perTask = KernelAtInitBaseline.compute(
          job: job, width: width, learningRate: eta0, points: points, steps: steps)
      else { continue }
      for (task, b) in perTask.enumerated() { out[task].append(b) }
    }
    return out
  }

  static func lines(
    _ baselines: [KernelAtInitBaseline], window: ClosedRange<Double>, infiniteWidth chi: Double
  ) -> [String] {
    guard let first = baselines.first else { return [] }
    var out = [
      String(
        format:
          "  kernel at init (GD on each width's initial NTK, %d angles, %d seed(s)), exponent over t = %g-%g; N -> infinity: %.3f",
        first.points, first.seeds.count, window.lowerBound, window.upperBound, chi)
    ]
    for b in baselines {
      let exponent = b.exponent(over: window).map { String(format: "%.3f", $0) } ?? "-"
      let stable =
        b.largestRate <= 2
        ? "" : String(format: "  (unstable: max eta lambda/T = %.2f > 2)", b.largestRate)
      out.append(
        String(
          format: "    N = %-5d eta0 = %-6g predicts t^-%@   L(%g) = %.4g%@", b.width,
          b.learningRate,
          exponent as NSString, b.steps.last ?? 0, b.loss.last ?? .nan, stable as NSString))
    }
    return out
  }

  static func json(
    _ baselines: [KernelAtInitBaseline], window: ClosedRange<Double>, infiniteWidth chi: Double
  ) -> [String: Any] {
    [
      "window": [window.lowerBound, window.upperBound], "infinite_width_exponent": chi,
      "widths": baselines.map { b -> [String: Any] in
        [
          "width": b.width, "learning_rate": b.learningRate, "points": b.points, "seeds": b.seeds,
          "exponent": b.exponent(over: window).map { $0 as Any } ?? NSNull(),
          "largest_rate": b.largestRate,
          "steps": b.steps, "loss": b.loss,
        ]
      },
    ]
  }
}
