"""What every benchmark shares: the cimc binary it measures, and the tools.

A benchmark measures the release build by default: `cimc_binary()` builds it
(`cargo build --release --bin cimc`, a no-op when it is current) unless
`--cimc PATH` names another binary, then prints what it measures, from
`cimc --version`: the commit (with `+dirty` when tracked files differed
from it at build time) and the build profile. A debug build is refused
unless `--allow-debug` is given: its numbers are not comparable with
anything else (ResNet-18 reference execution is 7x slower in it).
"""
import glob
import os
import platform
import re
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(ROOT, "test", "models")
RELEASE = os.path.join(ROOT, "target", "release", "cimc")


def add_cimc_args(parser):
    """--cimc, --allow-debug and --quick, the flags every benchmark takes."""
    parser.add_argument("--cimc", default=None,
                        help="the cimc binary to measure (default: build and use target/release/cimc)")
    parser.add_argument("--allow-debug", action="store_true",
                        help="measure a binary that is not a release build")
    parser.add_argument("--quick", action="store_true", help="a smoke run: fewer samples, seeds and repeats")


def cimc_binary(args):
    """The binary to measure, checked to be a release build; prints its identity."""
    path = args.cimc
    if path is None:
        build = subprocess.run(["cargo", "build", "--release", "--quiet", "--bin", "cimc"], cwd=ROOT)
        if build.returncode != 0:
            sys.exit("`cargo build --release --bin cimc` failed")
        path = RELEASE
    if not os.path.exists(path):
        sys.exit(f"{path} not found")
    version = subprocess.run([path, "--version"], capture_output=True, text=True)
    text = version.stdout.strip()
    m = re.fullmatch(r"cimc (\S+) \((\S+), (\w+) build, opt-level (\w+)\)", text)
    profile = m.group(3) if version.returncode == 0 and m else "unknown"
    if profile != "release" and not args.allow_debug:
        sys.exit(f"{path} is a {profile} build (--version: {text!r}); benchmarks measure release "
                 "builds: drop --cimc to build one, or pass --allow-debug")
    shown = os.path.relpath(path, ROOT) if os.path.abspath(path).startswith(ROOT + os.sep) else path
    print(f"measured: {text or '(no version)'} at {shown}")
    return path


def machine():
    """One line: architecture, CPU model, cores, OS."""
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "")
    except OSError:
        pass
    return f"{platform.machine()} {model}, {os.cpu_count()} cores, {platform.platform()}"


def venv_bin(name):
    """An ELF binary that tosa-tools ships in the test venv's site-packages/bin."""
    hits = glob.glob(os.path.join(ROOT, ".venv", "lib", "python3*", "site-packages", "bin", name))
    if not hits:
        sys.exit(f"{name} not found: run `bash scripts/dev setup`")
    return hits[0]


def converter():
    """tosa-converter-for-tflite from the test venv."""
    path = os.path.join(ROOT, ".venv", "bin", "tosa-converter-for-tflite")
    if not os.path.exists(path):
        sys.exit("tosa-converter-for-tflite not found: run `bash scripts/dev setup`")
    return path


def convert_tflite(tflite, mlir):
    """A committed .tflite model converted to TOSA MLIR text."""
    subprocess.run([converter(), tflite, "--text", "-o", mlir], check=True, capture_output=True)
    return mlir


def jit_timings(text):
    """(JIT seconds, ms per sample) from what `cimc --run` prints."""
    m = re.search(r"JIT compile ([0-9.]+) s, ([0-9.]+) ms per sample", text)
    if not m:
        sys.exit(f"no timing line in:\n{text}")
    return float(m.group(1)), float(m.group(2))


def run(cmd, check=True, cwd=None):
    """(stdout + stderr text, wall seconds, peak RSS MiB) of one process
    (in `cwd`, if given); exits with its output when it fails (unless
    `check` is false)."""
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=cwd)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        log.seek(0)
        text = log.read().decode(errors="replace")
    if check and os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{text}")
    return text, wall, usage.ru_maxrss / 1024
