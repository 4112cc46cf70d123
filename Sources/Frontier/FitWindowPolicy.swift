import Foundation

/// How a power-law fit window is chosen automatically on a curve such as
/// `L(t)`, which bends at both ends: an initial transient (the loss has not
/// started to fall) and a late plateau (the width bottleneck `L(N, t -> inf)`).
///
/// Rule: drop records before the loss has fallen by `transientDrop` below its
/// first value; among all contiguous windows spanning at least `minDecades`
/// of `x` and `minPoints` records, keep those with `R^2 >= minRSquared` and
/// choose the one with the steepest slope `|d log y / d log x|` (both bends
/// flatten the local slope, so the steepest straight stretch is the
/// power-law regime). If no window reaches `minRSquared`, the window with the
/// best `R^2` is used. The chosen window is reported with the fit.
///
/// With a known loss floor `L_inf` (the width bottleneck, e.g. model 1's exact
/// least-squares floor; see `LossCurve.lossFloor`) the plateau no longer has
/// to be guessed from the curve's shape: records where `L_inf > floorFraction
/// * L` are dropped (there the floor bends the local slope by more than
/// about `floorFraction`), and among the remaining windows that pass
/// `minRSquared` the **latest** one is chosen (the shortest qualifying window
/// ending at the latest record). The theory's exponents are asymptotic in
/// `t`, and "steepest" would otherwise pick an early catch-up phase, such as
/// rich training accelerating as its features grow, whose local slope
/// overshoots the asymptotic one.
public struct FitWindowPolicy: Sendable, Codable, Equatable {
  public var minDecades: Double
  public var minPoints: Int
  public var minRSquared: Double
  public var transientDrop: Double
  /// Largest `L_inf / L` a record may have to enter a fit when the floor is known.
  public var floorFraction: Double
  /// A fixed window instead of the search: every record with `x` in this
  /// range enters the fit (no transient or floor cut). Comparing two regimes
  /// over the same window asks a different question from the automatic
  /// search, which lets each curve pick its own straightest stretch.
  public var fixedRange: ClosedRange<Double>? = nil

  public init(
    minDecades: Double, minPoints: Int, minRSquared: Double, transientDrop: Double,
    floorFraction: Double = 0.1
  ) {
    self.minDecades = minDecades
    self.minPoints = minPoints
    self.minRSquared = minRSquared
    self.transientDrop = transientDrop
    self.floorFraction = floorFraction
  }

  enum CodingKeys: String, CodingKey {
    case minDecades, minPoints, minRSquared, transientDrop, floorFraction, fixedRange
  }

  public init(from decoder: Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    self.init(
      minDecades: try c.decode(Double.self, forKey: .minDecades),
      minPoints: try c.decode(Int.self, forKey: .minPoints),
      minRSquared: try c.decode(Double.self, forKey: .minRSquared),
      transientDrop: try c.decode(Double.self, forKey: .transientDrop),
      floorFraction: try c.decodeIfPresent(Double.self, forKey: .floorFraction) ?? 0.1)
    fixedRange = try c.decodeIfPresent(ClosedRange<Double>.self, forKey: .fixedRange)
  }

  /// This policy with the search replaced by the fixed window `range`.
  public func fixed(to range: ClosedRange<Double>) -> FitWindowPolicy {
    var policy = self
    policy.fixedRange = range
    return policy
  }

  /// Default for loss against time: one decade, 5 records, `R^2 >= 0.98`,
  /// transient = first 10 % of loss decrease.
  public static let time = FitWindowPolicy(
    minDecades: 1, minPoints: 5, minRSquared: 0.98, transientDrop: 0.1)
  /// Use every point (no window search).
  public static let all = FitWindowPolicy(
    minDecades: .infinity, minPoints: 2, minRSquared: 0, transientDrop: 0)
}

/// Exhaustive O(n^2) window search using prefix sums.
struct FitWindowSelector {
  var logX: [Double]
  var logY: [Double]
  var policy: FitWindowPolicy
  /// Choose the latest qualifying window instead of the steepest (used
  /// when a known floor has already cut the plateau off).
  var latest = false

  func bestFit(context: String) throws -> PowerLawFit {
    let n = logX.count
    guard n >= 2 else { throw FrontierError.tooFewPoints(context: context, needed: 2, got: n) }
    let span = (logX.last! - logX.first!) / Foundation.log(10)
    // Whole range when it is shorter than the requested window.
    if span <= policy.minDecades || n <= policy.minPoints {
      return LogLinearRegression(logX: logX, logY: logY).powerLaw
    }
    var px = [0.0]
    var py = [0.0]
    var pxx = [0.0]
    var pxy = [0.0]
    var pyy = [0.0]
    for i in 0..<n {
      px.append(px[i] + logX[i])
      py.append(py[i] + logY[i])
      pxx.append(pxx[i] + logX[i] * logX[i])
      pxy.append(pxy[i] + logX[i] * logY[i])
      pyy.append(pyy[i] + logY[i] * logY[i])
    }
    let minLog = policy.minDecades * Foundation.log(10)
    var best: (i: Int, j: Int, score: Double)? = nil
    var bestR2: (i: Int, j: Int, r2: Double)? = nil
    for i in 0..<n {
      for j in (i + max(1, policy.minPoints - 1))..<max(i + max(1, policy.minPoints - 1), n)
      where logX[j] - logX[i] >= minLog {
        let m = Double(j - i + 1)
        let sx = px[j + 1] - px[i]
        let sy = py[j + 1] - py[i]
        let sxx = pxx[j + 1] - pxx[i] - sx * sx / m
        let sxy = pxy[j + 1] - pxy[i] - sx * sy / m
        let syy = pyy[j + 1] - pyy[i] - sy * sy / m
        guard sxx > 0 else { continue }
        let r2 = syy > 0 ? sxy * sxy / (sxx * syy) : 1
        let slope = sxy / sxx
        if bestR2 == nil || r2 > bestR2!.r2 { bestR2 = (i, j, r2) }
        if r2 >= policy.minRSquared {
          if latest {
            // Latest end first, then the shortest window ending there.
            let score = Double(j) * Double(n + 1) + Double(i)
            if best == nil || score > best!.score { best = (i, j, score) }
          } else if best == nil || abs(slope) > best!.score {
            best = (i, j, abs(slope))
          }
        }
      }
    }
    let chosen = best.map { ($0.i, $0.j) } ?? bestR2.map { ($0.i, $0.j) } ?? (0, n - 1)
    return LogLinearRegression(
      logX: logX[chosen.0...chosen.1], logY: logY[chosen.0...chosen.1]
    ).powerLaw
  }
}
