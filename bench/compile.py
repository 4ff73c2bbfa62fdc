#!/usr/bin/env python3
"""Benchmark: compile time, memory and object size, from model to linked executable.

usage: .venv/bin/python bench/compile.py [--models a,b,...] [--quick] [--cimc PATH] [--allow-debug]

For each int8 model (the bundled digits CNN and the scale models LeNet-5,
ResNet-20, MobileNetV2, ResNet-18, and ResNet-50 when
target/scale-extra/resnet50.int8.tflite exists: `bash scripts/dev bench
compile` makes it with scripts/models/gen_scale.py), measured in one run on
this machine:
  - `cimc -O2 net.mlir -o net.o`: wall time and peak resident memory;
  - linking net.o with libcimc_runtime.a and a small C driver
    (bench/c/run_net.c) into an executable: wall time; the sum is "to a
    linked executable";
  - the object's size beside its program tables (`@cimc_tables`: the cell
    levels packed at cell_bits bits, plus per-tile headers);
  - the executable runs one seeded input, and its output must equal
    `cimc --run=reference` bit for bit;
  - `cimc -O2 --run`: wall time of the whole process to the first
    inference, with its JIT and inference parts;
  - `cimc -O2 --run=reference`: JIT time and time per sample, and for
    ResNet-18 Arm's tosa_reference_model per sample (start-up included) and
    the ratio;
  - compile seconds per MB of program tables (the packed cell levels, which
    grow with the weights), to show how compile time grows with the model;
  - op chains: N = 1,000, 2,000 and 5,000 chained `tosa.add` in one
    function, seconds to LLVM IR (issue 18: compile time linear in the ops);
  - the link with gold (`-fuse-ld=gold`) beside the default linker's (bfd),
    which takes most of the link time on large objects; goals use the
    default linker.
Goals (issue 21): ResNet-18 to a linked executable <= 3 s and <= 1 GB,
MobileNetV2 <= 2 s, digits <= 0.3 s; --run to first inference on ResNet-18
<= 4 s; reference JIT <= 2 s and >= 25x Arm; object <= 1.5 x tables + a few
MB; ResNet-50's time per weight within 1.5x of ResNet-18's.
--quick: digits CNN, LeNet-5 and ResNet-20 only. Measures the release build
(bench/common.py); needs `bash scripts/dev setup`.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

from common import MODELS, ROOT, add_cimc_args, cimc_binary, convert_tflite, jit_timings, machine, run, venv_bin

SCALE = ("lenet5", "resnet20", "mobilenetv2", "resnet18", "resnet50")
QUICK = ("digits", "lenet5", "resnet20")


def symbol_size(obj, name):
    """The size of symbol `name` in an object file (nm -S), 0 if absent."""
    out = subprocess.run(["nm", "-S", obj], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3] == name:
            return int(parts[1], 16)
    return 0


def runtime_library():
    path = os.path.join(ROOT, "target", "release", "libcimc_runtime.a")
    build = subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "cimc-runtime"], cwd=ROOT)
    if build.returncode != 0 or not os.path.exists(path):
        sys.exit("cannot build libcimc_runtime.a (cargo build --release -p cimc-runtime)")
    return path


def model_path(name, work):
    if name == "digits":
        return os.path.join(MODELS, "cnn.int8.mlir")
    tflite = os.path.join(MODELS, "scale", f"{name}.int8.tflite")
    if not os.path.exists(tflite):
        tflite = os.path.join(ROOT, "target", "scale-extra", f"{name}.int8.tflite")
    if not os.path.exists(tflite):
        return None
    return convert_tflite(tflite, os.path.join(work, f"{name}.mlir"))


def signature(mlir):
    """(input shape, output width) of @main: one 4-D i8 input, one [N, K] i8 result."""
    with open(mlir) as f:
        text = f.read(200_000)
    m = re.search(r"func\.func @main\(%arg0: tensor<([0-9x]+)xi8>[^)]*\)\s*->\s*\(?tensor<(\d+)x(\d+)xi8>", text)
    if not m:
        sys.exit(f"{mlir}: expected @main(tensor<NxHxWxCxi8>) -> tensor<NxKxi8>")
    return [int(d) for d in m.group(1).split("x")], int(m.group(3))


def arm_per_sample(mlir, x, work):
    """Seconds per sample of Arm's tosa_reference_model (start-up included)."""
    tosa = os.path.join(work, "model.tosa")
    subprocess.run([venv_bin("tosa-opt"), mlir, "--tosa-serialize", f"--tosa-flatbuffer-filename={tosa}"],
                   check=True, capture_output=True)
    start = time.perf_counter()
    subprocess.run([venv_bin("tosa_reference_model"), "--tosa_file", tosa, "--ifm_name", "TosaInput_0",
                    "--ifm_file", x, "--ofm_name", "TosaOutput_0", "--ofm_file", os.path.join(work, "arm.npy"),
                    "--flatbuffer_dir", work, "--output_dir", work], check=True, capture_output=True)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=None, help="comma-separated: digits," + ",".join(SCALE))
    add_cimc_args(parser)
    args = parser.parse_args()
    cimc = cimc_binary(args)
    lib = runtime_library()
    names = args.models.split(",") if args.models else (QUICK if args.quick else ("digits",) + SCALE)
    print(f"machine: {machine()}; -O2, target isaac")
    rows = []
    with tempfile.TemporaryDirectory() as work:
        toml = os.path.join(work, "isaac.toml")
        with open(toml, "w") as f:
            f.write(subprocess.run([cimc, "--print-target"], capture_output=True, text=True, check=True).stdout)
        cc = os.environ.get("CC", "gcc")
        driver_o = os.path.join(work, "run_net.o")
        subprocess.run([cc, "-std=c11", "-O1", "-c", "-I", os.path.join(ROOT, "runtime", "include"),
                        os.path.join(ROOT, "bench", "c", "run_net.c"), "-o", driver_o], check=True)
        for name in names:
            mlir = model_path(name, work)
            if mlir is None:
                print(f"{name}: not present (skipped)")
                continue
            shape, outputs = signature(mlir)
            obj = os.path.join(work, f"{name}.o")
            _, compile_s, compile_mib = run([cimc, "-O2", mlir, "-o", obj])
            exe = os.path.join(work, name)
            libs = [lib, "-L/usr/lib/llvm-22/lib", "-Wl,-rpath,/usr/lib/llvm-22/lib", "-lmlir_c_runner_utils",
                    "-lpthread", "-ldl", "-lm"]
            _, link_s, _ = run([cc, driver_o, obj, *libs, "-o", exe])
            _, gold_s, _ = run([cc, "-fuse-ld=gold", driver_o, obj, *libs, "-o", exe + ".gold"], check=False)
            if not os.path.exists(exe + ".gold"):
                gold_s = float("nan")
            x = np.random.default_rng(0).integers(-128, 128, size=shape, dtype=np.int8)
            xnpy, xbin = os.path.join(work, "x.npy"), os.path.join(work, "x.bin")
            np.save(xnpy, x)
            x.tofile(xbin)
            ybin = os.path.join(work, "y.bin")
            run([exe, toml, xbin, *map(str, shape), str(outputs), ybin])
            yref = os.path.join(work, "yref.npy")
            ref_text, _, _ = run([cimc, "-O2", mlir, "--run=reference", "--input", xnpy, "-o", yref])
            exact = np.array_equal(np.fromfile(ybin, dtype=np.int8), np.load(yref).reshape(-1))
            ref_jit, ref_ms = jit_timings(ref_text)
            sim_text, sim_s, sim_mib = run([cimc, "-O2", mlir, "--run", "--input", xnpy,
                                            "-o", os.path.join(work, "ysim.npy")])
            sim_jit, sim_ms = jit_timings(sim_text)
            arm = arm_per_sample(mlir, xnpy, work) if name == "resnet18" else None
            rows.append(dict(name=name, compile=compile_s, mib=compile_mib, link=link_s, gold=gold_s,
                             obj=os.path.getsize(obj), tables=symbol_size(obj, "cimc_tables"),
                             exact=exact, sim=sim_s, sim_jit=sim_jit, sim_ms=sim_ms,
                             sim_mib=sim_mib, ref_jit=ref_jit, ref_ms=ref_ms, arm=arm))
    mb = 1 << 20
    print(f"\n{'model':<12} {'-o net.o':>9} {'peak':>8} {'link':>6} {'linked':>7} {'(gold)':>6} "
          f"{'object':>8} {'tables':>8} {'obj/tab':>7} {'s/MB tab':>8} {'exact':>5} "
          f"{'--run 1st':>9} {'(JIT':>6} {'+ run)':>7} {'ref JIT':>7} {'ref/smp':>8}")
    for r in rows:
        ratio = r["obj"] / r["tables"] if r["tables"] else float("nan")
        per_mb = r["compile"] / (r["tables"] / mb) if r["tables"] else float("nan")
        print(f"{r['name']:<12} {r['compile']:>8.2f}s {r['mib']:>6.0f}MB {r['link']:>5.2f}s "
              f"{r['compile'] + r['link']:>6.2f}s {r['gold']:>5.2f}s {r['obj'] / mb:>6.1f}MB {r['tables'] / mb:>6.1f}MB "
              f"{ratio:>7.2f} {per_mb:>8.2f} {'yes' if r['exact'] else 'NO':>5} {r['sim']:>8.2f}s {r['sim_jit']:>5.2f}s "
              f"{r['sim_ms'] / 1e3:>6.2f}s {r['ref_jit']:>6.2f}s {r['ref_ms']:>6.1f}ms")
    by = {r["name"]: r for r in rows}

    def goal(text, ok):
        print(f"  goal {text}: {'met' if ok else 'MISSED'}")

    print()
    if "resnet18" in by:
        r = by["resnet18"]
        linked = r["compile"] + r["link"]
        goal(f"ResNet-18 to a linked executable <= 3 s and <= 1 GB ({linked:.2f} s, {r['mib']:.0f} MB)",
             linked <= 3 and r["mib"] <= 1024)
        goal(f"ResNet-18 --run to first inference <= 4 s ({r['sim']:.2f} s)", r["sim"] <= 4)
        ratio = r["arm"] / (r["ref_ms"] / 1e3)
        goal(f"reference JIT <= 2 s ({r['ref_jit']:.2f} s) and >= 25x Arm's model "
             f"({r['arm']:.2f} s / {r['ref_ms'] / 1e3:.3f} s = {ratio:.1f}x)", r["ref_jit"] <= 2 and ratio >= 25)
    if "mobilenetv2" in by:
        r = by["mobilenetv2"]
        goal(f"MobileNetV2 <= 2 s ({r['compile'] + r['link']:.2f} s)", r["compile"] + r["link"] <= 2)
    if "digits" in by:
        r = by["digits"]
        goal(f"digits <= 0.3 s ({r['compile'] + r['link']:.2f} s)", r["compile"] + r["link"] <= 0.3)
    big = [r for r in rows if r["tables"] > mb]
    if big:
        worst = max(r["obj"] - 1.5 * r["tables"] for r in big)
        goal(f"object <= 1.5 x tables + a few MB (worst excess {worst / mb:.1f} MB)", worst <= 4 * mb)
    if "resnet50" in by and "resnet18" in by:
        a, b = by["resnet50"], by["resnet18"]
        ratio = (a["compile"] / a["tables"]) / (b["compile"] / b["tables"])
        goal(f"ResNet-50 time per weight (per MB of tables) within 1.5x of ResNet-18's ({ratio:.2f}x)",
             ratio <= 1.5)
    chains(cimc)
    if not all(r["exact"] for r in rows):
        sys.exit("an executable's output differs from reference execution")


def chains(cimc):
    """Seconds to LLVM IR for N chained tosa.add ops; goal: about linear in N."""
    print("\nop chains (N chained tosa.add on tensor<1x16xi32>, --emit=llvm):")
    times = {}
    with tempfile.TemporaryDirectory() as work:
        for n in (1000, 2000, 5000):
            lines = ["func.func @main(%x: tensor<1x16xi32>) -> tensor<1x16xi32> {"]
            prev = "%x"
            for i in range(n):
                lines.append(f"  %v{i} = tosa.add {prev}, %x : (tensor<1x16xi32>, tensor<1x16xi32>) -> tensor<1x16xi32>")
                prev = f"%v{i}"
            lines.append(f"  return {prev} : tensor<1x16xi32>\n}}\n")
            path = os.path.join(work, f"chain{n}.mlir")
            with open(path, "w") as f:
                f.write("\n".join(lines))
            _, times[n], _ = run([cimc, "--emit=llvm", path, "-o", os.devnull])
            print(f"  N = {n:>5}: {times[n]:.2f} s ({times[n] / n * 1e3:.2f} ms per op)")
    ratio = (times[5000] / 5000) / (times[1000] / 1000)
    print(f"  goal 5,000 ops compile in seconds, time per op about constant "
          f"(5,000 vs 1,000: {ratio:.2f}x per op): {'met' if times[5000] < 10 and ratio < 1.5 else 'MISSED'}")


if __name__ == "__main__":
    main()
