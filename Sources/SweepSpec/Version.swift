/// The version of ScaleSweep, stored in every results file.
public enum ScaleSweepVersion {
  public static let current = "0.1.0"
}
