import Foundation
import Testing

/// The Slurm scripts: shell-clean, the generated ones share sweep.sbatch's
/// body, are sized from the plan, and never execute what a job name or path
/// smuggles in. (scripts/slurm-test.sh runs them through a real Slurm.)
@Suite struct SlurmScriptTests {
  static let root = Harness.packageRoot.path

  /// Every shell script this project ships for Slurm.
  static var shippedScripts: [String] {
    let slurm = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/slurm")) ?? []
    let scripts = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/scripts")) ?? []
    return slurm.filter { $0.hasSuffix(".sbatch") }.map { "\(root)/slurm/\($0)" }
      + scripts.filter {
        ($0.hasPrefix("slurm-") || $0.hasPrefix("install")) && $0.hasSuffix(".sh")
      }.map {
        "\(root)/scripts/\($0)"
      }
  }

  static var shellcheck: String? {
    ["/usr/bin/shellcheck", "/usr/local/bin/shellcheck"].first {
      FileManager.default.isExecutableFile(atPath: $0)
    }
  }

  /// `bash -n` and shellcheck (all severities) must both be silent.
  static func expectShellClean(_ path: String, sourceLocation: SourceLocation = #_sourceLocation)
    throws
  {
    let syntax = try Harness.run("/bin/bash", ["-n", path])
    #expect(syntax.status == 0, "bash -n \(path): \(syntax.stderr)", sourceLocation: sourceLocation)
    guard let shellcheck else {
      Issue.record(
        "shellcheck is not installed (apt-get install shellcheck)", sourceLocation: sourceLocation)
      return
    }
    let check = try Harness.run(shellcheck, ["--shell=bash", "--severity=style", path])
    #expect(
      check.status == 0, "shellcheck \(path):\n\(check.stdout)", sourceLocation: sourceLocation)
  }

  /// A one-cell job named `name`, written as JSON into `directory`.
  static func writeJob(named name: String, in directory: URL) throws -> String {
    let job: [String: Any] = [
      "name": name,
      "model": ["kind": "projected-features", "features": 64],
      "task": ["alpha": 2.0, "beta": 0.5],
      "grid": ["width": [16], "data": ["online"], "gamma": [0.0], "seeds": 1, "steps": [50]],
      "training": ["batch": 8, "lr": 0.5, "record_points": 5],
    ]
    let url = directory.appendingPathComponent("job.json")
    try JSONSerialization.data(withJSONObject: job).write(to: url)
    return url.path
  }

  /// Runs `scalesweep slurm ARGS` with `directory` as the working directory.
  static func generate(_ arguments: [String], in directory: URL) throws -> CommandResult {
    try Harness.run(
      "/bin/bash",
      [
        "-c", #"cd "$1" && shift && exec "$@""#, "generate", directory.path, Harness.binary,
        "slurm",
      ]
        + arguments)
  }

  /// The text between sweep.sbatch's "common body" markers.
  static func body(of script: String) -> String? {
    guard let start = script.range(of: "# --- common body"),
      let end = script.range(of: "# --- end of common body ---")
    else { return nil }
    return String(script[start.lowerBound..<end.upperBound])
  }

  @Test(arguments: shippedScripts) func shippedScriptIsShellClean(_ path: String) throws {
    try Self.expectShellClean(path)
  }

  @Test func generatedScriptIsShellCleanAndSharesTheSweepBody() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let result = try Self.generate([Harness.fixture("tiny.json"), "--partition", "debug"], in: dir)
    #expect(result.status == 0, "\(result.stderr)")
    let path = dir.appendingPathComponent("tiny.sbatch").path
    try result.stdout.write(toFile: path, atomically: true, encoding: .utf8)
    try Self.expectShellClean(path)
    let shipped = try String(contentsOfFile: "\(Self.root)/slurm/sweep.sbatch", encoding: .utf8)
    let shippedBody = try #require(Self.body(of: shipped))
    #expect(
      Self.body(of: result.stdout) == shippedBody, "slurm/sweep.sbatch and SlurmCommand.body differ"
    )
    #expect(result.stdout.contains("#SBATCH --partition=debug\n"))
    // Results default to NAME.h5 next to the job file; a build-tree binary
    // is never named as the one to run.
    let fixtures = URL(fileURLWithPath: Harness.fixture("tiny.json")).deletingLastPathComponent()
    #expect(result.stdout.contains("out='\(fixtures.standardizedFileURL.path)/tiny.h5'\n"))
    #expect(result.stdout.contains("installed_bin=''\n"))
    #expect(!result.stdout.contains("/.build/"))
  }

  /// Every site option becomes its `#SBATCH` line, as given or normalised.
  @Test func siteOptionsReachTheScript() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let job = Harness.fixture("tiny.json")
    try FileManager.default.createDirectory(
      at: dir.appendingPathComponent("logs"), withIntermediateDirectories: true)
    let result = try Self.generate(
      [
        job, "--qos", "high", "--constraint", "skylake&ib", "--gres", "gpu:a100:2,nvme:1",
        "--gpus-per-task", "a100:1", "--exclusive", "--mail-type", "end,FAIL", "--mail-user",
        "me@example.org", "--output", "logs/%x-%j.log", "--mem", "4G", "--partition", "p1",
        "--account", "proj",
      ], in: dir)
    #expect(result.status == 0, "\(result.stderr)")
    for line in [
      "#SBATCH --qos=high", "#SBATCH --constraint=skylake&ib", "#SBATCH --gres=gpu:a100:2,nvme:1",
      "#SBATCH --gpus-per-task=a100:1", "#SBATCH --exclusive", "#SBATCH --mail-type=END,FAIL",
      "#SBATCH --mail-user=me@example.org", "#SBATCH --output=\(dir.path)/logs/%x-%j.log",
      "#SBATCH --mem=4096M", "#SBATCH --partition=p1", "#SBATCH --account=proj",
    ] {
      #expect(result.stdout.contains(line + "\n"), "missing \(line)")
    }
    #expect(!result.stdout.contains("--mem-per-cpu"))
    let perCPU = try Self.generate([job, "--mem-per-cpu", "1500"], in: dir)
    #expect(perCPU.stdout.contains("#SBATCH --mem-per-cpu=1500M\n"))
    // Below the plan's need: a warning, still a script.
    let small = try Self.generate([job, "--mem-per-cpu", "1K"], in: dir)
    #expect(small.status == 0 && small.stderr.contains("below the plan"), "\(small.stderr)")
    let whole = try Self.generate([job, "--mem", "0"], in: dir)
    #expect(whole.stdout.contains("#SBATCH --mem=0M\n"))
  }

  /// `--set` overrides size the plan and reach every run of the printed script.
  @Test func overridesArePassedToEveryRun() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let result = try Self.generate(
      [Harness.fixture("tiny.json"), "--set", "grid.seeds=[0, 1, 2]", "--set", #"name="it's""#],
      in: dir)
    #expect(result.status == 0, "\(result.stderr)")
    #expect(result.stdout.contains("#SBATCH --job-name=it"), "\(result.stdout)")
    #expect(result.stdout.contains(#"overrides=(--set 'grid.seeds=[0, 1, 2]' --set "#))
    #expect(result.stdout.contains(#""$bin" run "$job" "${overrides[@]}" --out"#))
    let path = dir.appendingPathComponent("set.sbatch").path
    try result.stdout.write(toFile: path, atomically: true, encoding: .utf8)
    try Self.expectShellClean(path)
  }

  @Test func resourcesComeFromThePlan() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let job = Harness.fixture("tiny.json")
    let plan = try Harness.scalesweep(["plan", job, "--ranks", "6", "--json"])
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
    let makespan = try #require(json["estimated_makespan_seconds"] as? Double)
    let memory = try #require(json["memory_per_rank_bytes"] as? Double)

    let sized = try Self.generate([job, "--nodes", "2", "--ntasks-per-node", "3"], in: dir)
    #expect(sized.status == 0)
    let minutes = Int(((makespan * 1.5 + 300) / 60).rounded(.up))
    let mebibytes = Int(((memory * 1.25 + 512 * 1_048_576) / 1_048_576).rounded(.up))
    for line in [
      "#SBATCH --nodes=2", "#SBATCH --ntasks-per-node=3", "#SBATCH --cpus-per-task=1",
      String(format: "#SBATCH --time=%02d:%02d:00", minutes / 60, minutes % 60),
      "#SBATCH --mem-per-cpu=\(mebibytes)M", "#SBATCH --signal=B:USR1@90", "#SBATCH --requeue",
      "#SBATCH --open-mode=append", "#SBATCH --job-name=tiny",
    ] {
      #expect(sized.stdout.contains(line + "\n"), "missing \(line)")
    }
    // An explicit limit in Slurm's formats; a short one moves the signal earlier.
    for (time, expected) in [
      ("90", "01:30:00"), ("2-0", "2-00:00:00"), ("1:02:03", "01:02:03"), ("3:00", "00:03:00"),
    ] {
      let result = try Self.generate([job, "--time", time], in: dir)
      #expect(result.stdout.contains("#SBATCH --time=\(expected)\n"), "--time \(time)")
    }
    #expect(
      try Self.generate([job, "--time", "3:00"], in: dir).stdout.contains(
        "#SBATCH --signal=B:USR1@60\n"))
    // Default ranks: enough that more would not shorten the plan by 10%.
    let automatic = try Self.generate([job], in: dir)
    #expect(automatic.stdout.contains("#SBATCH --nodes=1\n"))
    #expect(
      automatic.stdout.range(
        of: #"#SBATCH --ntasks-per-node=[0-9]+\n"#, options: .regularExpression) != nil)
  }

  @Test func badResourceValuesAreRefused() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let job = Harness.fixture("tiny.json")
    for arguments in [
      ["--partition", "a b"], ["--partition", "debug\n#SBATCH --wrap=touch pwned"],
      ["--account", "$(touch pwned)"],
      ["--account", "-x"], ["--time", "soon"], ["--time", "0"], ["--time", "1:2:3:4"],
      ["--time", "1-2-3"],
      ["--nodes", "0"], ["--ntasks-per-node", "x"], ["--bogus", "1"],
      ["--mem", "-4G"], ["--mem", "4X"], ["--mem", ""], ["--mem-per-cpu", "0"],
      ["--mem", "1G", "--mem-per-cpu", "1G"], ["--qos", "high prio"], ["--qos", "a,b"],
      ["--gres", "gpu"], ["--gres", "gpu:0"], ["--gres", "gpu:a100:"], ["--gres", "gpu:1,"],
      ["--gpus-per-task", "0"], ["--gpus-per-task", "a:b"], ["--constraint", "a b"],
      ["--constraint", "x;touch pwned"], ["--mail-type", "SOMETIMES"], ["--mail-type", "END,"],
      ["--mail-user", "a b@c"], ["--mail-user", "a@b@c"], ["--output", "a b.log"],
      ["--output", "no-such-dir/x.log"], ["--output", "x\n#SBATCH --wrap=touch pwned"],
      ["--exclusive=yes"],
    ] {
      let result = try Self.generate([job] + arguments, in: dir)
      #expect(result.status == 2, "\(arguments)")
      #expect(
        result.stdout.isEmpty && result.stderr.split(separator: "\n").count == 1, "\(arguments)")
    }
    #expect(
      try Self.generate([Harness.fixture("bad-jobs/does-not-exist.json")], in: dir).status == 2)
    #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("pwned").path))
  }

  /// The script sources SCALESWEEP_SETUP before it looks for the binary
  /// (a setup file that puts scalesweep on PATH is enough), says which binary
  /// it runs, and stops with status 2 and one clear line when the setup file
  /// or the binary is missing. (scripts/slurm-test.sh checks the setup runs
  /// again after a requeue, and the installed-binary fallback, in a real Slurm.)
  @Test func setupFileAndBinaryDiscovery() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let job = try Self.writeJob(named: "setup", in: dir)
    let generated = try Self.generate([job, "--out", "r.h5"], in: dir)
    try #require(generated.status == 0, "\(generated.stderr)")
    let script = dir.appendingPathComponent("job.sbatch").path
    try generated.stdout.write(toFile: script, atomically: true, encoding: .utf8)
    // srun runs its command; scalesweep is on PATH only once the setup ran.
    let stubs = dir.appendingPathComponent("stubs")
    let tools = dir.appendingPathComponent("tools")
    for directory in [stubs, tools] {
      try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }
    let srun = stubs.appendingPathComponent("srun").path
    try "#!/bin/bash\nwhile [[ $1 == -* ]]; do shift; done\nexec \"$@\"\n".write(
      toFile: srun, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: srun)
    try FileManager.default.createSymbolicLink(
      atPath: tools.appendingPathComponent("scalesweep").path, withDestinationPath: Harness.binary)
    // Unset variables in the setup must not trip the script's `set -u`.
    let setup = dir.appendingPathComponent("setup.sh").path
    try "export PATH=\"\(tools.path):$PATH\"\necho \"site setup ran ($UNSET_IN_SETUP)\"\n".write(
      toFile: setup, atomically: true, encoding: .utf8)
    func run(_ environment: [String: String]) throws -> CommandResult {
      try Harness.run(
        "/bin/bash", ["-c", #"cd "$1" && exec bash "$2""#, "run", dir.path, script],
        environment: [
          "PATH": "\(stubs.path):/usr/local/bin:/usr/bin:/bin", "SCALESWEEP_LAUNCHER": "srun",
          "SCALESWEEP_BIN": "", "SCALESWEEP_SETUP": "",
        ].merging(environment) { $1 })
    }
    let ran = try run(["SCALESWEEP_SETUP": setup])
    #expect(ran.status == 0, "\(ran.stdout)\(ran.stderr)")
    #expect(ran.stdout.contains("site setup ran ()\n"))
    #expect(ran.stdout.contains("launcher srun, \(tools.path)/scalesweep\n"), "\(ran.stdout)")
    let noBinary = try run([:])
    #expect(noBinary.status == 2)
    #expect(noBinary.stdout.contains("scalesweep-sbatch: no scalesweep binary: put it on PATH"))
    let noSetup = try run(["SCALESWEEP_SETUP": dir.appendingPathComponent("missing.sh").path])
    #expect(noSetup.status == 2)
    #expect(noSetup.stdout.contains("missing.sh: no such readable file\n"))
  }

  /// Job names and paths full of shell syntax: the script is shell-clean, its
  /// #SBATCH lines hold only safe characters, and running it (srun replaced
  /// by a stand-in that runs the command) trains the job into the hostile
  /// path without executing anything. scripts/slurm-test.sh submits one to a
  /// real Slurm too.
  @Test func hostileNamesNeverExecute() throws {
    let dir = try Harness.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let attacks = [
      "$(touch pwned)", "`touch pwned`", "'; touch pwned; '", "\"; touch pwned; \"",
      "x; touch pwned",
      "a\ntouch pwned\n", "b\n#SBATCH --wrap=\"touch pwned\"\ntouch pwned",
      "${IFS}$(touch${IFS}pwned)",
      "c\\'$(touch pwned)\\", "-d %j \u{7}\t\r$(touch pwned)",
    ]
    let stubs = dir.appendingPathComponent("stubs")
    try FileManager.default.createDirectory(at: stubs, withIntermediateDirectories: true)
    let srun = stubs.appendingPathComponent("srun")
    try "#!/bin/bash\nwhile [[ $1 == -* ]]; do shift; done\nexec \"$@\"\n".write(
      to: srun, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: srun.path)
    // A build-tree binary is never named in the script: it runs scalesweep from PATH.
    try FileManager.default.createSymbolicLink(
      atPath: stubs.appendingPathComponent("scalesweep").path,
      withDestinationPath: Harness.binary)
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"

    for (index, attack) in attacks.enumerated() {
      // The attack is the job's name and part of every path the script holds.
      let work = dir.appendingPathComponent(
        "w\(index) \(attack.replacingOccurrences(of: "/", with: "_"))")
      try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
      let job = try Self.writeJob(named: attack, in: work)
      let out = work.appendingPathComponent(
        "r \(attack.replacingOccurrences(of: "/", with: "_")).h5"
      ).path
      for outArguments in [["--out", out], []] {
        let generated = try Self.generate([job] + outArguments, in: work)
        try #require(generated.status == 0, "\(attack): \(generated.stderr)")
        let script = generated.stdout
        for line in script.split(separator: "\n") where line.hasPrefix("#SBATCH") {
          #expect(
            line.range(
              of: #"^#SBATCH --[a-z-]+(=[A-Za-z0-9._,:@%+-]+)?$"#, options: .regularExpression)
              != nil,
            "unsafe header line \(line)")
        }
        let file = work.appendingPathComponent("job.sbatch").path
        try script.write(toFile: file, atomically: true, encoding: .utf8)
        try Self.expectShellClean(file)

        let run = try Harness.run(
          "/bin/bash", ["-c", #"cd "$1" && exec bash "$2""#, "run", work.path, file],
          environment: [
            "PATH": "\(stubs.path):\(path)", "SCALESWEEP_LAUNCHER": "srun", "SCALESWEEP_BIN": "",
          ])
        #expect(run.status == 0, "\(attack): \(run.stdout)\(run.stderr)")
        let results = outArguments.isEmpty ? nil : out
        if let results {
          let inspect = try Harness.scalesweep(["inspect", results, "--json"])
          #expect(
            inspect.status == 0 && inspect.stdout.contains("\"complete\" : true"), "\(attack)")
        } else {
          let files = try FileManager.default.contentsOfDirectory(atPath: work.path)
          #expect(
            files.contains { $0.hasSuffix(".h5") && !$0.hasPrefix("r ") },
            "\(attack): default results file")
        }
      }
    }
    let everything = FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String] ?? []
    #expect(
      !everything.contains { ($0 as NSString).lastPathComponent == "pwned" }, "a name was executed")
    #expect(
      !FileManager.default.fileExists(
        atPath: Harness.packageRoot.appendingPathComponent("pwned").path))
  }
}
