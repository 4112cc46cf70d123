"""Test programs for the command runner, one behaviour per mode (argv[1]).

ok           reports every record step and exits 0
float-step   the same, with steps written as floats (100.0) and one unreported step
exit         reports one step, writes to stderr, exits with status 3
broken       prints a line that starts with '{' and is not JSON
hang         starts a child that sleeps, then sleeps itself (past any timeout)
nan          reports a finite loss, then NaN at step 2
ignore-term  ignores SIGTERM and sleeps (needs SIGKILL)
dump         writes its argv and environment as JSON to $DUMP, then behaves like ok
"""
import json
import os
import signal
import subprocess
import sys
import time

mode = sys.argv[1]
steps = [int(s) for s in os.environ["SCALESWEEP_RECORD_STEPS"].split(",")]


def report(step, loss):
    print(json.dumps({"step": step, "test_loss": loss, "train_loss": loss}), flush=True)


if mode == "dump":
    with open(os.environ["DUMP"], "w") as f:
        json.dump({"argv": sys.argv, "env": dict(os.environ)}, f)
if mode in ("ok", "dump"):
    print("a plain log line from the program", flush=True)
    for s in steps:
        report(s, 1.0 / s)
elif mode == "float-step":
    for s in steps[:-1]:
        print(json.dumps({"step": float(s), "test_loss": 2.0 / s}), flush=True)
elif mode == "exit":
    report(steps[0], 1.0)
    print("something went wrong here", file=sys.stderr, flush=True)
    sys.exit(3)
elif mode == "broken":
    report(steps[0], 1.0)
    print('{"step": 2, "test_loss": oops', flush=True)
    time.sleep(30)
elif mode == "hang":
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", os.environ["MARKER"]])
    report(steps[0], 1.0)
    time.sleep(300)
elif mode == "nan":
    report(1, 0.5)
    report(2, float("nan"))
    time.sleep(30)
elif mode == "ignore-term":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    subprocess.Popen([sys.executable, "-c",
                      "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(300)",
                      os.environ["MARKER"]])
    time.sleep(300)
