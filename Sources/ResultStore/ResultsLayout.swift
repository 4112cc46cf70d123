/// Names and meanings in a ScaleSweep results file (docs/results-format.md).
/// Other tools read these names: they never change within a format version.
public enum ResultsLayout {
  public static let format = "scalesweep-results"
  /// 2: normals drawn by the ziggurat (Training `RandomStream.version` 2);
  /// 1: Box-Muller. Files of version 1 read as before, but `--resume` refuses
  /// them: their cells would not continue bit for bit.
  public static let formatVersion: Int64 = 2
  /// What changed in each format version, for the message that refuses a resume.
  static let versionMeaning: [Int: String] = [
    1: "Box-Muller normals", 2: "ziggurat normals",
  ]

  /// Per-cell columns of `/cells`, with their meaning and units.
  static let cellColumns: [(name: String, description: String, units: String?)] = [
    ("task", "index into the job's task list", nil),
    ("width", "hidden width N", nil),
    ("data", "data set size P (0 = online, fresh samples every step)", nil),
    ("gamma", "richness (0 = lazy / kernel limit)", nil),
    ("lr", "learning rate of the cell (before the schedule's factor)", nil),
    ("batch", "samples per SGD step", nil),
    ("seed", "seed of the cell", nil),
    ("steps_budget", "SGD steps the cell trains for", "steps"),
    ("status", "0 pending, 1 done, 2 diverged, 3 failed", nil),
    ("flops_per_step", "FLOPs of one training step (forward and backward) of the model", "FLOP"),
    ("seconds", "wall-clock training time of the cell", "s"),
    ("rank", "MPI rank that trained the cell (-1 not yet)", nil),
    ("diverged_step", "step at which the loss became non-finite (-1 none)", "steps"),
    ("loss_floor", "loss the width cannot go below (model 1 bottleneck; NaN if unknown)", nil),
    (
      "source_budget",
      "step budget of the training run that produced the curve: steps_budget when trained on its own, larger when derived as the prefix of a longer run (constant schedule); 0 pending",
      "steps"
    ),
    (
      "checksum",
      "FNV-1a 64-bit checksum of the cell's stored results (0 while pending); see CellChecksum",
      nil
    ),
  ]

  /// `/cells/error`: why a failed cell failed (fixed-length UTF-8, empty otherwise).
  static let errorLength = 256
}
