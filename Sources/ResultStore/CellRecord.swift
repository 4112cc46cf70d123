import SweepSpec

/// One row of `/cells`: where the cell sits in the grid and how it went.
public struct CellRecord: Equatable, Sendable {
  public var cell: Cell
  public var status: CellStatus
  public var flopsPerStep: Double
  public var seconds: Double
  /// Rank that trained it, `-1` if none yet.
  public var rank: Int
  public var divergedStep: Int?
  public var lossFloor: Double
  /// Why the cell failed (`/cells/error`), nil if it did not.
  public var error: String?
  /// `/cells/source_budget`: the budget of the run that produced the curve
  /// (the cell's own, or a longer one it is a prefix of); 0 while pending.
  public var sourceBudget: Int = 0

  /// True when the curve was recorded along a longer cell's training.
  public var derived: Bool { status != .pending && sourceBudget != cell.stepsBudget }

  public static func == (a: CellRecord, b: CellRecord) -> Bool {
    a.cell == b.cell && a.status == b.status && a.flopsPerStep == b.flopsPerStep
      && a.seconds == b.seconds && a.rank == b.rank && a.divergedStep == b.divergedStep
      && a.lossFloor.bitPattern == b.lossFloor.bitPattern && a.error == b.error
      && a.sourceBudget == b.sourceBudget
  }
}
