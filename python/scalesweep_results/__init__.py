"""Read ScaleSweep results files (docs/results-format.md) as labelled data.

    from scalesweep_results import open_results
    ds = open_results("out/demo.h5")
    ds.test_loss.sel(task="alpha=2,beta=0.5", data="online", gamma=1.0).mean("seed")

``open_results`` returns an ``xarray.Dataset`` whose dimensions are named
coordinates: ``task`` (a label built from the job's task fields, with one
coordinate per field, e.g. ``alpha`` and ``beta``, or ``q``), ``width``,
``data`` (``"online"`` or the data set size as text), ``gamma``, ``seed``,
``budget`` (steps the cell trains for) and ``step`` (the recorded steps),
plus ``lr`` and ``batch`` when the job's grid has them as axes (otherwise
they are per-cell values, e.g. a rate that follows the width).
Per-cell values (``status`` as ``"done"``, ``"diverged"``, ...; ``error`` as
text; ``flops_per_step``, ``seconds``, ``loss_floor``, ``diverged_step``)
have no ``step`` dimension. Losses are NaN where a cell did not record.
"""

import json

import h5py
import numpy as np
import pandas as pd
import xarray as xr

__all__ = ["open_results", "final_losses", "STATUS_NAMES"]

STATUS_NAMES = {0: "pending", 1: "done", 2: "diverged", 3: "failed"}

_PER_CELL = ["flops_per_step", "seconds", "loss_floor", "diverged_step", "rank"]


def _tasks(job):
    tasks = job.get("task", [])
    return tasks if isinstance(tasks, list) else [tasks]


def _label(task):
    return ",".join(f"{key}={task[key]:g}" if isinstance(task[key], (int, float))
                    else f"{key}={task[key]}" for key in sorted(task))


def open_results(path):
    """The results file at ``path`` as an ``xarray.Dataset`` (see the module doc)."""
    with h5py.File(path, "r") as f:
        if f.attrs.get("format") != "scalesweep-results":
            raise ValueError(f"{path}: not a ScaleSweep results file (no format attribute)")
        job = json.loads(f.attrs["job"])
        steps = f["steps"][:]
        cells = f["cells"]
        tasks = _tasks(job)
        labels = np.array([_label(t) for t in tasks], dtype=object)
        task_index = cells["task"][:]
        data = cells["data"][:]
        coords = {
            "task": labels[task_index],
            "width": cells["width"][:],
            "data": np.array(["online" if d == 0 else str(d) for d in data], dtype=object),
            "gamma": cells["gamma"][:],
            "seed": cells["seed"][:],
            "budget": cells["steps_budget"][:],
        }
        per_cell = {name: cells[name][:] for name in _PER_CELL if name in cells}
        per_cell["status"] = np.array(
            [STATUS_NAMES.get(int(s), str(s)) for s in cells["status"][:]], dtype=object)
        per_cell["error"] = np.array(
            [e.decode("utf-8", "replace").rstrip("\x00") if isinstance(e, bytes) else str(e)
             for e in cells["error"][:]], dtype=object)
        # lr and batch: an axis when the job's grid lists them, else a
        # per-cell value (e.g. a rate that follows the width).
        grid = job.get("grid", {})
        for name in ("lr", "batch"):
            if name in cells:
                values = cells[name][:]
                if name in grid and len(np.unique(values)) > 1:
                    coords[name] = values
                else:
                    per_cell[name] = values
        test = f["loss/test"][:]
        train = f["loss/train"][:]
    index = pd.MultiIndex.from_arrays(list(coords.values()), names=list(coords))
    variables = {name: ("cell", values) for name, values in per_cell.items()}
    variables["test_loss"] = (("cell", "step"), test)
    variables["train_loss"] = (("cell", "step"), train)
    ds = xr.Dataset(variables, coords={"step": steps})
    ds = ds.assign_coords(xr.Coordinates.from_pandas_multiindex(index, "cell")).unstack("cell")
    # Keep the job's order on every axis (unstack sorts labels).
    ds = ds.reindex(task=[l for l in dict.fromkeys(labels[task_index])])
    data_order = ["online" if d == "online" else str(d) for d in job["grid"].get("data", [])]
    present = list(ds["data"].values)
    ds = ds.reindex(data=[d for d in data_order if d in present] + [d for d in present if d not in data_order])
    for key in dict.fromkeys(k for t in tasks for k in t):
        ds.coords[key] = ("task", [next(t.get(key) for t in tasks if _label(t) == lab)
                                   for lab in ds["task"].values])
    ds["status"] = ds["status"].fillna("absent")
    ds = ds.transpose(..., "step")
    ds.attrs.update({"name": job.get("name", ""), "model": job.get("model", {}).get("kind", ""),
                     "job": json.dumps(job), "source": str(path)})
    ds["test_loss"].attrs["description"] = "population / test loss, NaN where not recorded"
    ds["train_loss"].attrs["description"] = "training loss, NaN where not recorded"
    return ds


def final_losses(ds):
    """Each cell's last recorded test loss and its step, as a pandas DataFrame
    with one row per cell (cells that recorded nothing are left out)."""
    recorded = ds["test_loss"].notnull()
    last = recorded.cumsum("step").argmax("step")
    frame = xr.Dataset({
        "step": ds["step"][last],
        "test_loss": ds["test_loss"].isel(step=last),
        "status": ds["status"],
    }).to_dataframe().reset_index()
    return frame[frame["test_loss"].notna()].drop(columns=[c for c in frame.columns if c == "cell"])
