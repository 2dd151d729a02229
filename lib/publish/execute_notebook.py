#!/usr/bin/env python3
"""Executes a Jupyter notebook with a kernel and writes the executed copy, losing no output.

Why not `jupyter nbconvert --execute`: the Deno 2.9 kernel can publish `status: idle` before a
cell's last output message; nbconvert/nbclient stop reading at idle and silently drop that output
(1-10 of 60 outputs in a 30-cell notebook on this machine). This executor

  * routes every iopub message to its cell by `parent_header.msg_id`, whenever it arrives;
  * after a cell's `idle` and `execute_reply`, keeps reading until no message has arrived for
    `--settle` seconds (the settle guard); later stragglers still land in their own cell, and
    before shutting the kernel down it drains until `--final-settle` seconds pass quietly;
  * enforces a per-cell timeout (`--timeout`, or cell metadata `{"cen": {"timeout": S}}`); the
    Deno kernel ignores interrupts, so a timed-out cell kills the kernel and fails the run;
  * on an error, names the cell and prints its traceback, writes the notebook so far, exits 1;
  * drops the stray `Promise { undefined }` result that an un-awaited `Deno.jupyter.display(...)`
    as a cell's last expression produces (counted in the stats);
  * streams `stdout`/`stderr` text of the cells to this process's stderr as it arrives.

Usage:
  execute_notebook.py INPUT.ipynb OUTPUT.ipynb [--cwd DIR] [--timeout S] [--settle S]
                      [--kernel NAME] [--stats PATH] [--quiet] [--label TEXT]

Exit status: 0 ok, 1 a cell failed or timed out or the kernel died, 2 bad usage / no kernel.
Needs: jupyter_client, nbformat (Debian: jupyter-client, python3-nbformat).
"""

import argparse
import json
import os
import queue
import re
import sys
import tempfile
import time

try:
    import nbformat
    from jupyter_client.manager import KernelManager
except ImportError as e:  # pragma: no cover - reported to the caller
    print(f"execute_notebook: missing Python package: {e} (install jupyter-client, "
          "jupyter-nbconvert: bash tools/setup-system.sh)", file=sys.stderr)
    sys.exit(2)

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
STRAY_PROMISE = re.compile(r"^Promise \{ (undefined|<pending>) \}$")


def strip_ansi(text):
    return ANSI.sub("", text)


def log(args, text, end="\n"):
    if not args.quiet:
        sys.stderr.write(text + end)
        sys.stderr.flush()


class CellState:
    """Outputs of one cell as they arrive (mirrors nbclient's output handling)."""

    def __init__(self, index, cell):
        self.index = index
        self.cell = cell
        self.outputs = []
        self.clear_pending = False
        self.idle = False
        self.reply = None
        self.error = None
        self.late = 0  # outputs that arrived after idle (kept by the settle guard)

    def add(self, msg, stats, display_ids):
        kind = msg["msg_type"]
        content = msg["content"]
        if kind == "clear_output":
            if content.get("wait"):
                self.clear_pending = True
            else:
                self.outputs = []
            return None
        if kind == "update_display_data":
            did = content.get("transient", {}).get("display_id")
            for cell_state, out in display_ids.get(did, []):
                out["data"] = content.get("data", {})
                out["metadata"] = content.get("metadata", {})
            return None
        if kind not in ("stream", "display_data", "execute_result", "error"):
            return None
        if kind == "execute_result":
            plain = strip_ansi(content.get("data", {}).get("text/plain", ""))
            if len(content.get("data", {})) == 1 and STRAY_PROMISE.match(plain):
                stats["dropped_promises"] += 1
                return None
        if self.clear_pending:
            self.outputs = []
            self.clear_pending = False
        out = nbformat.v4.output_from_msg(msg)
        if self.idle:
            self.late += 1
            stats["late_outputs"] += 1
        if kind == "stream" and self.outputs and self.outputs[-1].get("output_type") == "stream" \
                and self.outputs[-1].get("name") == out.get("name"):
            self.outputs[-1]["text"] += out["text"]
        else:
            self.outputs.append(out)
        if kind == "display_data":
            did = content.get("transient", {}).get("display_id")
            if did:
                display_ids.setdefault(did, []).append((self, out))
        if kind == "error":
            self.error = content
        return out


def signed(get):
    """`get` (a client's get_*_msg) that treats a message signed with another session's key as no
    message: a stray from a previous kernel on a reused port, which jupyter_client raises on."""
    def wrapped(timeout):
        try:
            return get(timeout=timeout)
        except ValueError as e:
            if "Invalid Signature" not in str(e):
                raise
            print("execute: ignored a message signed by another session", file=sys.stderr)
            raise queue.Empty() from e
    return wrapped


def cell_timeout(cell, default):
    meta = cell.get("metadata", {}).get("cen", {})
    value = meta.get("timeout", default)
    return float(value) if value else None


def describe(cell_state, total):
    first = next((ln for ln in cell_state.cell.source.splitlines() if ln.strip()), "")
    return f"cell {cell_state.index + 1}/{total} ({first.strip()[:60]!r})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--cwd", help="kernel working directory (default: the input's folder)")
    parser.add_argument("--timeout", type=float, default=3600.0,
                        help="seconds per cell; 0 = none (default 3600)")
    parser.add_argument("--settle", type=float, default=0.1,
                        help="seconds without messages after idle before a cell counts as done")
    parser.add_argument("--final-settle", type=float, default=1.0,
                        help="seconds without messages before the kernel is shut down")
    parser.add_argument("--kernel", help="kernel name (default: notebook metadata, else deno)")
    parser.add_argument("--startup-timeout", type=float, default=120.0)
    parser.add_argument("--stats", help="write run statistics as JSON here")
    parser.add_argument("--label", default=None, help="name used in progress lines")
    parser.add_argument("--quiet", action="store_true", help="do not stream cell output")
    args = parser.parse_args()

    nb = nbformat.read(args.input, as_version=4)
    label = args.label or os.path.splitext(os.path.basename(args.input))[0]
    kernel_name = args.kernel or nb.metadata.get("kernelspec", {}).get("name") or "deno"
    cwd = os.path.abspath(args.cwd or os.path.dirname(os.path.abspath(args.input)))
    code_cells = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    for _, c in code_cells:
        c.outputs = []
        c.execution_count = None
    total = len(nb.cells)
    stats = {
        "notebook": label, "cells": len(code_cells), "executed": 0, "seconds": 0.0,
        "late_outputs": 0, "outputs_after_settle": 0, "dropped_promises": 0,
        "cell_seconds": [], "error": None, "settle": args.settle,
    }

    def finish(code):
        stats["seconds"] = round(time.time() - t0, 3)
        nbformat.write(nb, args.output)
        if args.stats:
            with open(args.stats, "w") as f:
                json.dump(stats, f, indent=2)
        return code

    t0 = time.time()
    km = KernelManager(kernel_name=kernel_name)
    kernel_log = tempfile.TemporaryFile(mode="w+")
    try:
        km.start_kernel(cwd=cwd, stderr=kernel_log, stdout=kernel_log)
    except Exception as e:  # no such kernel, deno missing
        print(f"execute_notebook: cannot start kernel {kernel_name!r}: {e}", file=sys.stderr)
        return 2
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=args.startup_timeout)
    except RuntimeError as e:
        kernel_log.seek(0)
        print(f"execute_notebook: kernel did not start: {e}\n{kernel_log.read()[-2000:]}",
              file=sys.stderr)
        km.shutdown_kernel(now=True)
        return 2

    # Complete the metadata nbformat requires (nbconvert refuses a kernelspec without
    # display_name) and record the kernel's language_info, as nbclient does.
    spec = km.kernel_spec
    ks = dict(nb.metadata.get("kernelspec", {}))
    ks.setdefault("name", kernel_name)
    ks.setdefault("display_name", spec.display_name if spec else kernel_name)
    ks.setdefault("language", spec.language if spec else "")
    nb.metadata["kernelspec"] = ks
    try:
        kc.kernel_info()
        info = signed(kc.get_shell_msg)(timeout=10)
        if info["msg_type"] == "kernel_info_reply":
            nb.metadata["language_info"] = info["content"].get("language_info", {})
    except queue.Empty:
        pass

    by_msg = {}  # msg_id -> CellState, for every cell sent so far
    display_ids = {}
    current = [None]

    def handle(msg):
        parent = msg.get("parent_header", {}).get("msg_id")
        state = by_msg.get(parent)
        if state is None:
            return None
        if msg["msg_type"] == "status":
            if msg["content"].get("execution_state") == "idle":
                state.idle = True
            return None
        if state is not current[0] and msg["msg_type"] in (
                "stream", "display_data", "execute_result", "error"):
            stats["outputs_after_settle"] += 1
        out = state.add(msg, stats, display_ids)
        if out is not None and out.get("output_type") == "stream" and not args.quiet:
            sys.stderr.write(out["text"])  # progress of long cells, as it arrives
            sys.stderr.flush()
        return out

    def drain(until_quiet, deadline):
        """Reads iopub until `until_quiet` seconds pass with no message (or the deadline)."""
        last = time.time()
        while True:
            now = time.time()
            if deadline is not None and now > deadline:
                return False
            wait = until_quiet - (now - last)
            if wait <= 0:
                return True
            try:
                msg = signed(kc.get_iopub_msg)(timeout=wait)
            except queue.Empty:
                return True
            handle(msg)
            last = time.time()

    code = 0
    try:
        n_code = len(code_cells)
        for k, (index, cell) in enumerate(code_cells):
            if not cell.source.strip():
                continue
            state = CellState(index, cell)
            current[0] = state
            start = time.time()
            limit = cell_timeout(cell, args.timeout)
            deadline = start + limit if limit else None
            msg_id = kc.execute(cell.source, store_history=True, allow_stdin=False,
                                stop_on_error=True)
            by_msg[msg_id] = state
            timed_out = False
            while state.reply is None or not state.idle:
                if deadline is not None and time.time() > deadline:
                    timed_out = True
                    break
                try:
                    msg = signed(kc.get_iopub_msg)(timeout=0.05)
                    handle(msg)
                except queue.Empty:
                    pass
                if state.reply is None:
                    try:
                        reply = signed(kc.get_shell_msg)(timeout=0)
                        if reply.get("parent_header", {}).get("msg_id") == msg_id:
                            state.reply = reply
                    except queue.Empty:
                        pass
                if not km.is_alive():
                    break
            if not timed_out and km.is_alive():
                # The settle guard: late outputs of this cell arrive after its idle.
                if not drain(args.settle, deadline):
                    timed_out = True
            current[0] = None
            seconds = time.time() - start
            stats["cell_seconds"].append(round(seconds, 3))
            cell.outputs = state.outputs
            if state.reply is not None:
                cell.execution_count = state.reply["content"].get("execution_count")
            stats["executed"] += 1
            if seconds > 2 and not args.quiet:
                log(args, f"[{label}] {describe(state, total)} took {seconds:.1f} s")
            if timed_out:
                text = (f"CellTimeoutError: {describe(state, total)} ran longer than {limit:g} s "
                        "(set --timeout or the cell's metadata cen.timeout); the kernel was "
                        "stopped")
                cell.outputs.append(nbformat.v4.new_output(
                    "error", ename="CellTimeoutError", evalue=text, traceback=[text]))
                stats["error"] = {"cell": index + 1, "ename": "CellTimeoutError",
                                  "evalue": text}
                print(f"\n[{label}] {text}", file=sys.stderr)
                code = 1
                break
            if not km.is_alive():
                kernel_log.seek(0)
                text = f"KernelDied: the kernel died during {describe(state, total)}"
                cell.outputs.append(nbformat.v4.new_output(
                    "error", ename="KernelDied", evalue=text, traceback=[text]))
                stats["error"] = {"cell": index + 1, "ename": "KernelDied", "evalue": text}
                print(f"\n[{label}] {text}\n{kernel_log.read()[-3000:]}", file=sys.stderr)
                code = 1
                break
            status = state.reply["content"].get("status")
            if state.error is not None or status == "error":
                err = state.error or state.reply["content"]
                tb = "\n".join(strip_ansi(t) for t in err.get("traceback", []))
                stats["error"] = {"cell": index + 1, "ename": err.get("ename"),
                                  "evalue": strip_ansi(str(err.get("evalue")))}
                print(f"\n[{label}] error in {describe(state, total)}: "
                      f"{err.get('ename')}: {strip_ansi(str(err.get('evalue')))}\n{tb}\n"
                      f"--- cell {index + 1} source ---\n{cell.source}\n---", file=sys.stderr)
                code = 1
                break
        if km.is_alive() and (stats["error"] is None or
                              stats["error"]["ename"] not in ("CellTimeoutError", "KernelDied")):
            # Outputs can trail the last executed cell too: drain before shutting down.
            drain(args.final_settle, time.time() + 30)
    except KeyboardInterrupt:
        stats["error"] = {"cell": None, "ename": "KeyboardInterrupt", "evalue": "interrupted"}
        code = 130
    finally:
        try:
            kc.stop_channels()
        finally:
            km.shutdown_kernel(now=True)
    return finish(code)


if __name__ == "__main__":
    sys.exit(main())
