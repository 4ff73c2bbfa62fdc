#!/usr/bin/env python3
"""Arm's TOSA conformance suite, run on cimc as a peer's test suite.

Arm's generator (tosa-tools' `tosa_verif_conformance_generator`, with its
official `cts-config_v1.0.json`) writes each test as a TOSA flatbuffer, its
input `.npy` files and a `desc.json`. Each test here is:

1. run on Arm's reference model in precise mode, which gives the expected
   results (float64 for float outputs) and, for dot products, the bounds
   files that `tosa_verify` needs;
2. converted to MLIR by `tosa-opt --tosa-deserialize`;
3. run by `cimc --run=reference` and, when the test's operator is one cimc
   maps onto crossbars (integer convolutions and matmuls), by `cimc --run`
   on the simulated chip, which must also have put the operator on arrays;
4. checked output by output with Arm's `tosa_verify` under the test's
   compliance mode (EXACT for integers: bit-exact).

A test cimc refuses must be refused with a diagnostic that matches an entry
of `test/conformance/rejections.toml`, the documented, intended rejections;
anything else is a failure, as is a mismatch.

usage:
  scripts/conformance.py full OUT [--ops OP...] [--keep] [-j N] [--cimc BIN]
      the whole suite, one operator at a time: generate its TOSA 1.0.2
      positive tests (pro-int, pro-fp, the int16 and int4 extensions) with
      their expected results into OUT/tests/OP, run them, append the records
      to OUT/results.jsonl and delete the tests (unless --keep: all of them
      take about 30 GB); resumes after the operators already recorded, and
      prints the table of every record at the end
  scripts/conformance.py generate OUT [--ops OP...] [-j N]
      generate tests (with expected results) into OUT/tests
  scripts/conformance.py run TESTS... [--cimc BIN] [-j N] [--results FILE]
      run every test directory under TESTS (generated, or the reduced
      selection committed in test/conformance/cases) and print a table
  scripts/conformance.py select OUT TESTS... --names FILE
      copy the named tests (with expected results and the converted MLIR)
      into OUT: how test/conformance/cases was made
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REJECTIONS = ROOT / "test/conformance/rejections.toml"
VERSION = "1.0.2"
PROFILES = ["tosa-pro-int", "tosa-pro-fp"]
EXTENSIONS = ["tosa-ext-int16", "tosa-ext-int4"]
# Operators cimc maps onto crossbars when they are integer: these also run on
# the simulated chip, and must have reached its arrays.
CROSSBAR_OPS = {"CONV2D", "DEPTHWISE_CONV2D", "MATMUL", "CONV3D", "TRANSPOSE_CONV2D"}
TIMEOUT = 600


def venv_bin():
    """The directory of tosa-tools' executables (in the venv running us)."""
    here = Path(sys.executable).parent
    if (here / "tosa_reference_model").exists():
        return here
    return ROOT / ".venv/bin"


def tool(name):
    return str(venv_bin() / name)


def generate_tests(out, ops, jobs, tests_dir="tests"):
    """Generates the tests of OPS (all if empty) with expected results into
    OUT/TESTS_DIR; returns the test directories."""
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PATH=f"{venv_bin()}:{os.environ['PATH']}")
    cmd = [
        tool("tosa_verif_conformance_generator"),
        "--tosa-version", VERSION,
        "--profile", *PROFILES,
        "--extension", *EXTENSIONS,
        "--test-type", "positive",
        "--output-type", "binary",
        "--output-directory", str(out / tests_dir),
        "--build-directory", str(out / "build"),
        "-j", str(jobs),
    ]
    if ops:
        cmd += ["--operators", *ops]
    print("$", " ".join(cmd), flush=True)
    run = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"the generator failed:\n{run.stdout}{run.stderr}")
    tests = find_tests([out / tests_dir]) if (out / tests_dir).is_dir() else []
    print(f"{len(tests)} tests; running the reference model for their expected results", flush=True)
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        list(pool.map(expect, tests))
    return tests


def generate(args):
    generate_tests(args.out, args.ops, args.jobs)
    return 0


def cts_operators():
    config = venv_bin().parent / "lib"
    path = next(config.glob("python3*/site-packages/conformance/cts-config_v1.0.json"))
    return [k for k in json.loads(path.read_text()) if not k.startswith("$")]


def full(args):
    out = Path(args.out).resolve()
    results = out / "results.jsonl"
    done = set()
    if results.is_file():
        done = {json.loads(l)["cts_operator"] for l in results.read_text().splitlines() if l}
    done_file = out / "operators-done.txt"
    if done_file.is_file():
        done |= set(done_file.read_text().split())
    cimc = args.cimc or str(ROOT / "target/release/cimc")
    rejections = load_rejections()
    for op in args.ops or cts_operators():
        if op in done:
            continue
        shutil.rmtree(out / "tests" / op, ignore_errors=True)
        tests = generate_tests(out, [op], args.jobs, f"tests/{op}")
        records = run_tests(tests, cimc, rejections, args.jobs)
        with open(results, "a") as f:
            for r in records:
                f.write(json.dumps(dict(r, cts_operator=op)) + "\n")
        with open(done_file, "a") as f:
            f.write(op + "\n")
        shutil.rmtree(out / "build", ignore_errors=True)
        if not args.keep:
            shutil.rmtree(out / "tests" / op, ignore_errors=True)
    records = [json.loads(l) for l in results.read_text().splitlines() if l]
    return summarize(records)


def expect(test):
    """Runs the reference model (precise mode) into TEST/expected."""
    out = test / "expected"
    if out.is_dir():
        return True
    tmp = test / "expected.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    run = subprocess.run(
        [tool("tosa_reference_model"), "--test_desc", str(test / "desc.json"),
         "--precise_mode=1", "--output_dir", str(tmp)],
        capture_output=True, text=True, timeout=TIMEOUT,
    )
    if run.returncode != 0:
        (test / "expected.log").write_text(run.stdout + run.stderr)
        return False
    tmp.rename(out)
    return True


def find_tests(roots):
    tests = []
    for root in roots:
        for desc in sorted(Path(root).rglob("desc.json")):
            tests.append(desc.parent)
    return tests


def convert(test):
    """The test as MLIR: tosa-opt's deserializer, kept as TEST/test.mlir."""
    mlir = test / "test.mlir"
    if mlir.is_file():
        return mlir.read_text(), None
    with tempfile.NamedTemporaryFile("w", suffix=".mlir") as empty:
        empty.write("module {}\n")
        empty.flush()
        run = subprocess.run(
            # Without hex: tosa-opt's MLIR packs i1 hex data otherwise
            # than MLIR 22 reads it; element lists mean the same to both.
            [tool("tosa-opt"), empty.name, "--mlir-print-elementsattrs-with-hex-if-larger=-1",
             f"--tosa-deserialize=tosa-flatbuffer-filename={test / desc_file(test)}",
             "-o", str(mlir)],
            capture_output=True, text=True, timeout=TIMEOUT,
        )
    if run.returncode != 0:
        mlir.unlink(missing_ok=True)
        return None, run.stderr.strip()
    return mlir.read_text(), None


def desc_file(test):
    return json.loads((test / "desc.json").read_text())["tosa_file"]


def signature_names(text):
    """The tensor names of @main's arguments and results, in order."""
    m = re.search(r"func\.func @main\((.*?)\)\s*->\s*(.*?)\{\n", text, re.S)
    if not m:
        m = re.search(r"func\.func @main\((.*?)\)\s*()\{", text, re.S)
    args, results = m.group(1), m.group(2)
    name = re.compile(r'tosa\.tensor_name = "([^"]+)"')
    return name.findall(args), name.findall(results)


def load_rejections():
    with open(REJECTIONS, "rb") as f:
        table = tomllib.load(f)
    return table["rejection"]


def classify_rejection(rejections, op, diagnostic):
    for r in rejections:
        if r.get("operator", op) == op and r["diagnostic"] in diagnostic:
            return r["reason"]
    return None


def cimc_run(cimc, executor, mlir, inputs, out, stats=None):
    cmd = [cimc, f"--run={executor}", str(mlir), "-o", str(out)]
    for i in inputs:
        cmd += ["--input", str(i)]
    if stats:
        cmd += ["--stats-json", str(stats)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)


def verify(test, desc, ofm, imp, ref, bounds):
    cmd = [tool("tosa_verify"), "--test_desc", str(test / "desc.json"),
           "--imp_result_file", str(imp), "--ref_result_file", str(ref), "--ofm_name", ofm]
    if bounds:
        cmd += ["--bnd_result_file", str(bounds)]
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT)
    return run.returncode == 0, (run.stdout + run.stderr).strip()


def check(test, desc, results_dir, stem):
    """Compares cimc's outputs STEM(.i).npy with the expected ones."""
    bounds_needed = desc.get("test_requirements", {}).get("bounds_file_required", False)
    for i, (ofm, file) in enumerate(zip(desc["ofm_name"], desc["ofm_file"])):
        imp = results_dir / (f"{stem}.npy" if i == 0 else f"{stem}.{i}.npy")
        ref = test / "expected" / file
        bounds = test / "expected" / f"bounds_{file}" if bounds_needed else None
        if not imp.is_file():
            return f"no output file for {ofm}"
        ok, detail = verify(test, desc, ofm, imp, ref, bounds)
        if not ok:
            return f"{ofm}: {detail.splitlines()[-1] if detail else 'non-compliant'}"
    return None


def first_error(stderr):
    for line in stderr.splitlines():
        if "error:" in line:
            return line.strip()
    return stderr.strip().splitlines()[-1] if stderr.strip() else "(no message)"


def run_test(test, cimc, rejections):
    desc = json.loads((test / "desc.json").read_text())
    op = desc.get("test_details", {}).get("operator", "?")
    record = {"test": test.name, "operator": op, "path": str(test)}
    if not (test / "expected").is_dir() and not expect(test):
        record.update(status="oracle-failed")
        return record
    text, err = convert(test)
    if text is None:
        record.update(status="convert-failed", detail=err)
        return record
    arg_names, _ = signature_names(text)
    files = dict(zip(desc["ifm_name"], desc["ifm_file"]))
    inputs = [test / files[n] for n in arg_names]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        run = cimc_run(cimc, "reference", test / "test.mlir", inputs, tmp / "ref.npy")
        if run.returncode != 0:
            diag = first_error(run.stderr)
            reason = classify_rejection(rejections, op, run.stderr)
            if run.returncode < 0 or run.returncode >= 70 or "panicked" in run.stderr:
                record.update(status="crashed", detail=diag)
            elif reason:
                record.update(status="rejected", reason=reason, detail=diag)
            else:
                record.update(status="unexpected-rejection", detail=diag)
            return record
        mismatch = check(test, desc, tmp, "ref")
        if mismatch:
            record.update(status="mismatch", detail=f"--run=reference: {mismatch}")
            return record
        record.update(status="pass")
        integer = all(not t.startswith(("FP", "BF")) for t in desc["test_details"].get("output_types", []))
        if op in CROSSBAR_OPS and integer:
            stats = tmp / "stats.json"
            run = cimc_run(cimc, "sim", test / "test.mlir", inputs, tmp / "sim.npy", stats)
            if run.returncode != 0:
                diag = first_error(run.stderr)
                reason = classify_rejection(rejections, op, run.stderr)
                record.update(sim="rejected" if reason else "unexpected-rejection",
                              sim_detail=diag, reason=reason)
                if not reason:
                    record.update(status="sim-failed")
                return record
            mismatch = check(test, desc, tmp, "sim")
            if mismatch:
                record.update(status="mismatch", sim="mismatch", detail=f"--run: {mismatch}")
                return record
            mvms = json.loads(stats.read_text()).get("mvms", 0)
            record.update(sim="pass", mvms=mvms)
            if not mvms:
                # Why: the remarks of the mapping.
                remarks = subprocess.run(
                    [cimc, "--emit=cim", "--remarks", str(test / "test.mlir"), "-o", os.devnull],
                    capture_output=True, text=True, timeout=TIMEOUT).stderr
                why = "; ".join(l.split("remark: ", 1)[1] for l in remarks.splitlines()
                                if "stays a host op" in l)
                reason = classify_rejection(rejections, op, why)
                if reason:
                    record.update(sim="host", reason=reason, sim_detail=why)
                else:
                    record.update(status="sim-failed", sim="host",
                                  sim_detail=f"{op} did not reach the crossbars: {why or 'no remark'}")
    return record


GOOD = {"pass", "rejected"}


def run_tests(tests, cimc, rejections, jobs):
    records = []
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        futures = {pool.submit(run_test, t, cimc, rejections): t for t in tests}
        for n, future in enumerate(concurrent.futures.as_completed(futures), 1):
            try:
                r = future.result()
            except subprocess.TimeoutExpired as e:
                t = futures[future]
                r = {"test": t.name, "operator": "?", "path": str(t), "status": "timeout",
                     "detail": str(e)}
            records.append(r)
            if r["status"] not in GOOD:
                print(f"{r['status']}: {r['test']}: {r.get('detail') or r.get('sim_detail')}", flush=True)
            if n % 200 == 0:
                print(f"  {n}/{len(tests)}", flush=True)
    records.sort(key=lambda r: (r["operator"], r["test"]))
    return records


def summarize(records):
    """Prints the table by operator; 1 when any test failed."""
    table = defaultdict(Counter)
    for r in records:
        table[r["operator"]][r["status"]] += 1
        if "sim" in r:
            table[r["operator"]]["sim-" + r["sim"]] += 1
    columns = ["pass", "rejected", "mismatch", "unexpected-rejection", "crashed",
               "sim-pass", "sim-host", "sim-rejected"]
    columns += sorted({k for c in table.values() for k in c} - set(columns))
    widths = [max(7, len(c) + 1) for c in columns]
    print(f"{'operator':<22}" + "".join(f"{c:>{w}}" for c, w in zip(columns, widths)))
    for op in sorted(table):
        print(f"{op:<22}" + "".join(f"{table[op][c]:>{w}}" for c, w in zip(columns, widths)))
    total = Counter(r["status"] for r in records)
    reasons = Counter(r["reason"] for r in records if r.get("reason"))
    for reason, n in reasons.most_common():
        print(f"  rejected or kept on the host ({n}): {reason}")
    bad = [r for r in records if r["status"] not in GOOD]
    print(f"{len(records)} tests: {total['pass']} pass, {total['rejected']} rejected as documented, "
          f"{len(bad)} failures")
    return 1 if bad else 0


def run(args):
    cimc = args.cimc or str(ROOT / "target/release/cimc")
    tests = find_tests(args.tests)
    if not tests:
        print("no tests found", file=sys.stderr)
        return 2
    records = run_tests(tests, cimc, load_rejections(), args.jobs)
    if args.results:
        with open(args.results, "w") as f:
            for r in records:
                f.write(json.dumps(r) + "\n")
    return summarize(records)


def select(args):
    names = [l.strip() for l in Path(args.names).read_text().splitlines()
             if l.strip() and not l.startswith("#")]
    found = {t.name: t for t in find_tests(args.tests)}
    out = Path(args.out)
    for name in names:
        test = found[name]
        text, err = convert(test)
        if text is None:
            raise SystemExit(f"{name}: {err}")
        dest = out / name
        shutil.rmtree(dest, ignore_errors=True)
        shutil.copytree(test, dest, ignore=shutil.ignore_patterns("test.tosa", "*.log"))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    f = sub.add_parser("full")
    f.add_argument("out")
    f.add_argument("--ops", nargs="*")
    f.add_argument("--keep", action="store_true")
    f.add_argument("--cimc")
    f.add_argument("-j", "--jobs", type=int, default=os.cpu_count())
    g = sub.add_parser("generate")
    g.add_argument("out")
    g.add_argument("--ops", nargs="*")
    g.add_argument("-j", "--jobs", type=int, default=os.cpu_count())
    r = sub.add_parser("run")
    r.add_argument("tests", nargs="+")
    r.add_argument("--cimc")
    r.add_argument("--results")
    r.add_argument("-j", "--jobs", type=int, default=os.cpu_count())
    s = sub.add_parser("select")
    s.add_argument("out")
    s.add_argument("tests", nargs="+")
    s.add_argument("--names", required=True)
    args = p.parse_args()
    return {"full": full, "generate": generate, "run": run, "select": select}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
