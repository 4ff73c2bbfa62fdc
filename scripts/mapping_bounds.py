#!/usr/bin/env python3
"""Analytical crossbar-mapping numbers for a TOSA model: arrays, utilization, work, bounds.

An independent check for cimc's mapper (issue "mapping", point 6): it is written from the
conventions below and nothing else (no code shared with the Rust mapper), in plain Python
(stdlib only). It reads the MLIR *text* of a TOSA module (as printed by
tosa-converter-for-tflite, torch-mlir or mlir-opt), finds every crossbar layer and prints
what a straightforward mapping needs.

Usage:
    scripts/mapping_bounds.py MODEL.mlir [MODEL2.mlir ...] \\
        [--rows 128] [--cols 128] [--cell-bits 2] [--weight-bits 8] [--dac-bits 1] \\
        [--input-bits 8] [--max-active-rows 128] [--encoding offset|differential] \\
        [--arrays N] [--weight-bits-from range|type|target] \\
        [--dynamic-matmul host|crossbar] [--json] [-o FILE]
    scripts/mapping_bounds.py --self-test

The defaults are the calibration target (ISAAC-like: 128x128 arrays, 2-bit cells, 8-bit
weights, offset encoding, 1-bit DAC, 8-bit inputs, all 128 rows active at once).
`--json` prints JSON instead of the text tables (one object: {"target", "models": [...]}).
Exit status: 0 ok, 1 self-test failure, 2 bad input (message `file:line: error: ...`).

CROSSBAR LAYERS (everything else is a host op; host ops are counted, never mapped)
  tosa.conv2d            input [N,IH,IW,Cin], weight [Cout,KH,KW,Cin]
  tosa.depthwise_conv2d  input [N,IH,IW,C],   weight [KH,KW,C,M]  (M = depth multiplier)
  tosa.transpose_conv2d  input [N,IH,IW,Cin], weight [Cout,KH,KW,Cin]
  tosa.matmul            a [B,M,K] x b [B,K,N] -> [B,M,N]
  tosa.fully_connected   (pre-1.0 TOSA) input [N,IC], weight [OC,IC]
Shapes come from the op's trailing type signature `: (tensor<..>, ...) -> tensor<..>`;
stride/pad/dilation (out_pad for transpose_conv2d) are read from the attributes and only
used to cross-check the printed output shape (a mismatch is reported as a note).
A layer's weight operand must trace back (through tosa.reshape / tosa.transpose /
tosa.identity / tensor.cast) to a constant (tosa.const / arith.constant). Otherwise it is
"dynamic": for matmul, if `a` is the constant instead, the layer is mapped transposed
(weights a^T: rows = K, cols = M, windows = N); a matmul or conv with no constant operand
is a host op by default (`--dynamic-matmul crossbar` maps it anyway, weight bits from
the element type) and is listed in the notes either way.

CONVENTIONS (issue "mapping", point 5/6; implemented exactly)
 1. Weight matrix. conv2d: rows = KH*KW*Cin, logical cols = Cout.
    matmul: rows = K, cols = N, one matrix per batch index (B matrices -> B times the
    arrays; a matrix's arrays serve only that batch index). fully_connected: rows = IC,
    cols = OC. transpose_conv2d (assumption, not in the issue): treated as the equivalent
    direct convolution over the zero-upsampled input: rows = KH*KW*Cin, cols = Cout,
    windows = output positions.
 2. Bit slicing: slices = ceil(weight_bits / cell_bits); physical cols = logical cols *
    slices, *2 for differential encoding (a positive and a negative column per slice);
    offset encoding adds one reference column of ones per weight matrix (per depthwise
    block), which reads the window's input sum for the offset correction.
    weight_bits per layer (--weight-bits-from):
      range (default): integer weights whose constant can be decoded -> the fewest bits b
        of a signed two's-complement number holding every (value - weight_zero_point):
        -2^(b-1) <= min and max <= 2^(b-1)-1 (so int8 weights in [-127,127] need 8 bits,
        [-7,7] need 4, all-zero needs 1). The converters print large constants as hex
        `dense<"0x...">` (raw little-endian element data; sub-byte ints one byte each,
        low bits used and sign-extended; a single element = splat); small ones as
        `dense<[...]>` lists; `dense_resource<name>` blobs are read from the file's
        dialect_resources section (4-byte alignment header skipped). If the constant
        cannot be decoded (elided, unknown form): the integer element type's width.
      type: the integer element type's width (i8 -> 8, i4 -> 4).
      target: --weight-bits for every layer.
    Float weights always use --weight-bits (the target quantizes them). A layer that
    needs more bits than --weight-bits is mapped with the bits it needs and a note.
    The weight zero point is the conv's weight_zp / matmul's b_zp operand (0 if it
    cannot be read; noted).
 3. Tiles: row tiles = ceil(rows / array_rows), col tiles = ceil(phys_cols / array_cols);
    a partial tile occupies a whole array; arrays are never shared between layers;
    arrays of a layer = row tiles * col tiles (* matrices for batched matmul).
 4. Depthwise: channels packed block-diagonally. Every output channel c*M+m is one
    block of KH*KW rows x slices (x2 differential) columns; blocks per array =
    min(floor(array_rows / (KH*KW)), floor(array_cols / block_cols)); arrays =
    ceil(C*M / blocks per array); arrays are filled in order, the last one partly. (A
    block larger than an array -- never the case for 3x3/5x5 kernels -- falls back to
    tiling each block as its own dense matrix; noted.)
 5. Windows: conv/depthwise/transpose: N*OH*OW output positions. matmul: M (rows of a)
    per batch matrix. fully_connected: N.
 6. input cycles = ceil(input_bits / dac_bits). steps per tile = windows * input cycles *
    ceil(active rows of the tile / max_active_rows); a tile's active rows are the rows of
    the weight matrix that land in it (last row tile: the remainder); depthwise array:
    blocks in that array * KH*KW. Columns do not add steps (all columns of an array are
    read in one step; ADC sharing is not modelled here).
 7. Totals. X = arrays used (sum over layers). W = sum over all arrays of their steps
    (crossbar steps per inference). Bottleneck = max steps of any one array (no
    replication: every array works its tile for all windows, in a pipeline the
    slowest array bounds the throughput). Spatial utilization = sum of used cells /
    (X * array_rows * array_cols); used cells = rows * phys cols of each layer (depthwise:
    C*M * KH*KW * slices (*2 differential)). Bound = W / N for a chip of N arrays
    (--arrays): no schedule, with any replication, can finish an inference in fewer
    array-steps per array; if X > N the model does not fit without reprogramming
    (noted; W/N is still a lower bound on crossbar steps).

 8. Pipeline (--pipeline TARGET_TOML, a resolved `cimc --print-target`): a layer with r
    copies of its tiles gives each copy ceil(windows / r) windows; its stage (cycles per
    sample) is the largest of
      arrays: the slowest tile's steps * I + fill, with a step's stages read =
        latency.array_step, convert = ceil(tile cols / adc.per_array) * adc_conversion,
        shift_add = latency.shift_add; I = their max, fill = their sum - I;
      buffer: the slowest tile's port cycles (load rows * ceil(input_bits/8) bytes, store
        cols * 4 bytes per window; each buffer_access + ceil(bytes / bandwidth), 0 for 0
        bytes) times min(tiles * r, arrays per core);
      vector: windows * partial-sum columns * (1 if several row tiles + 1 if bit-sliced)
        elementwise elements, plus the layer's post ops, over ceil(tiles * r / arrays per
        core) cores, each ceil(/lanes) * its class's cycles. Post ops: the layer's
        correction constant add (windows x outputs, when some c[o] = bias[o] - xzp*colsum[o]
        + K*xzp*wzp is nonzero), and every on-chip TOSA op whose first non-constant operand
        comes from the layer through reshapes and other post ops (elements: the largest of
        its non-constant operands and results; classes as cimc's op_class);
    a tie names the first. The copies minimise the HT period (the largest stage) within
    the chip's arrays and replication.max_replicas: the least period, among every stage
    value of every layer and copy count, whose fewest fitting copies fit the chip (all
    ones when one copy each does not fit). Latency = the stages' sum; bound = sum over
    layers of one copy's array cycles * its tiles / the chip's arrays.

Calibration (checked by --self-test from a hand-written layer list): ResNet-18 (ImageNet,
option-B 1x1/2 projections, FC 512->1000 included) at the default target gives
X = 3,111 arrays, W = 4,899,456 steps, bottleneck 100,352 steps (conv1: 147 rows -> 2 row
tiles, 64*4 + 1 = 257 cols -> 3 col tiles, 112*112 windows * 8 cycles).
"""
import argparse
import array
import json
import math
import random
import re
import sys
from dataclasses import dataclass, field, asdict


class InputError(Exception):
    """Bad input: reported as `file:line: error: msg`, exit status 2."""

    def __init__(self, msg, line=None):
        super().__init__(msg)
        self.line = line


# --------------------------------------------------------------------------
# target and layer descriptions
# --------------------------------------------------------------------------
@dataclass
class Target:
    rows: int = 128
    cols: int = 128
    cell_bits: int = 2
    weight_bits: int = 8
    dac_bits: int = 1
    input_bits: int = 8
    max_active_rows: int = 128
    encoding: str = "offset"
    arrays: int = None           # arrays on the chip (for the bound); None = not given
    weight_bits_from: str = "range"

    def check(self):
        for k in ("rows", "cols", "cell_bits", "weight_bits", "dac_bits", "input_bits", "max_active_rows"):
            if getattr(self, k) < 1:
                raise InputError(f"--{k.replace('_', '-')} must be >= 1, got {getattr(self, k)}")
        if self.arrays is not None and self.arrays < 1:
            raise InputError(f"--arrays must be >= 1, got {self.arrays}")
        if self.encoding not in ("offset", "differential"):
            raise InputError(f"--encoding must be offset or differential, got {self.encoding!r}")
        if self.weight_bits_from not in ("range", "type", "target"):
            raise InputError(f"--weight-bits-from must be range, type or target, got {self.weight_bits_from!r}")

    @property
    def input_cycles(self):
        return ceil_div(self.input_bits, self.dac_bits)

    @property
    def enc_factor(self):
        return 2 if self.encoding == "differential" else 1

    @property
    def ref_cols(self):
        # offset encoding: one reference column (all ones, reads the window's input sum)
        return 0 if self.encoding == "differential" else 1


@dataclass
class LayerSpec:
    """One crossbar layer, independent of the target."""
    name: str                    # result SSA name (or a label in the self-test)
    kind: str                    # conv2d | depthwise_conv2d | transpose_conv2d | matmul | fully_connected
    rows: int                    # weight-matrix rows (dense) / KH*KW (depthwise block rows)
    cols: int                    # logical columns (dense) / number of blocks C*M (depthwise)
    windows: int                 # input vectors per matrix per inference
    weight_bits: int
    matrices: int = 1            # batched matmul: independent weight matrices
    line: int = None
    bits_source: str = "target"
    shapes: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)


def ceil_div(a, b):
    return -(-a // b)


# --------------------------------------------------------------------------
# the mapping model (conventions 2-7)
# --------------------------------------------------------------------------
def map_layer(spec, t):
    slices = ceil_div(spec.weight_bits, t.cell_bits)
    cyc = t.input_cycles
    r = {"name": spec.name, "kind": spec.kind, "line": spec.line, "weight_bits": spec.weight_bits,
         "bits_source": spec.bits_source, "slices": slices, "windows": spec.windows, "input_cycles": cyc,
         "shapes": spec.shapes, "notes": list(spec.notes)}
    if spec.kind == "depthwise_conv2d":
        k, blocks = spec.rows, spec.cols
        bcols = slices * t.enc_factor + t.ref_cols
        bpa = min(t.rows // k, t.cols // bcols)
        r.update({"rows": k * blocks, "cols": blocks, "phys_cols": blocks * bcols, "block_rows": k,
                  "block_cols": bcols, "blocks": blocks})
        used = blocks * k * bcols
        if bpa >= 1:
            n_arr = ceil_div(blocks, bpa)
            per_array = []          # steps of every array, in order
            for j in range(n_arr):
                nb = min(bpa, blocks - j * bpa)
                per_array.append(spec.windows * cyc * ceil_div(nb * k, t.max_active_rows))
            r.update({"blocks_per_array": bpa, "row_tiles": n_arr, "col_tiles": 1, "arrays": n_arr})
        else:
            # a single block does not fit an array: tile every block as a dense k x bcols matrix
            rt, ct = ceil_div(k, t.rows), ceil_div(bcols, t.cols)
            tile_steps = [spec.windows * cyc * ceil_div(min(t.rows, k - i * t.rows), t.max_active_rows)
                          for i in range(rt)]
            per_array = tile_steps * ct * blocks
            r["notes"].append(f"a {k}x{bcols} depthwise block does not fit one array: each block tiled alone")
            r.update({"blocks_per_array": 0, "row_tiles": rt * blocks, "col_tiles": ct, "arrays": len(per_array)})
    else:
        rows, cols = spec.rows, spec.cols
        phys = cols * slices * t.enc_factor + t.ref_cols
        rt, ct = ceil_div(rows, t.rows), ceil_div(phys, t.cols)
        row_steps = [spec.windows * cyc * ceil_div(min(t.rows, rows - i * t.rows), t.max_active_rows)
                     for i in range(rt)]
        per_array = row_steps * ct * spec.matrices
        used = rows * phys * spec.matrices
        r.update({"rows": rows, "cols": cols, "phys_cols": phys, "matrices": spec.matrices,
                  "row_tiles": rt, "col_tiles": ct, "arrays": rt * ct * spec.matrices,
                  "steps_per_row_tile": row_steps})
    assert r["arrays"] == len(per_array)
    hist = {}
    for s in per_array:
        hist[s] = hist.get(s, 0) + 1
    r.update({"used_cells": used, "steps_per_tile": {str(k): v for k, v in sorted(hist.items(), reverse=True)},
              "max_steps_per_array": max(per_array), "steps": sum(per_array)})
    if spec.weight_bits > t.weight_bits:
        r["notes"].append(f"needs {spec.weight_bits}-bit weights, target has {t.weight_bits}: "
                          f"mapped with {spec.weight_bits} bits")
    return r


def totals(mapped, t):
    x = sum(m["arrays"] for m in mapped)
    used = sum(m["used_cells"] for m in mapped)
    w = sum(m["steps"] for m in mapped)
    bn = max((m["max_steps_per_array"] for m in mapped), default=0)
    bl = next((m["name"] for m in mapped if m["max_steps_per_array"] == bn), None)
    tot = {"layers": len(mapped), "arrays": x, "used_cells": used, "total_cells": x * t.rows * t.cols,
           "spatial_utilization": (used / (x * t.rows * t.cols)) if x else 0.0,
           "work_steps": w, "bottleneck_steps": bn, "bottleneck_layer": bl,
           "chip_arrays": t.arrays, "fits": (x <= t.arrays) if t.arrays else None,
           "bound_steps": (w / t.arrays) if t.arrays else None}
    return tot


# --------------------------------------------------------------------------
# the pipeline model (convention 8): stages, replication, period
# --------------------------------------------------------------------------
@dataclass
class Pipe:
    """The constants of a resolved cimc target (`cimc --print-target`) that
    the stage model reads."""
    clock_mhz: float
    array_step: int
    adc_conversion: int
    shift_add: int
    has_adc: bool
    adc_per_array: int
    buffer_access: int
    buffer_bw: int
    arrays_per_core: int
    lanes: int
    elementwise_cycles: int
    chip_arrays: int
    max_replicas: int
    class_cycles: dict = field(default_factory=dict)   # op class -> cycles per lane-element

    @staticmethod
    def from_toml(path):
        import tomllib
        with open(path, "rb") as f:
            d = tomllib.load(f)
        try:
            lat, arr = d["latency"], d["array"]
            return Pipe(d["clock_mhz"], lat["array_step"], lat["adc_conversion"], lat["shift_add"],
                        arr["adc"]["bits"] > 0, arr["adc"]["per_array"], lat["buffer_access"],
                        d["buffer"]["bandwidth_bytes_per_cycle"], d["core"]["macros"] * d["macro"]["arrays"],
                        d["vector"]["lanes"], d["vector"]["elementwise_cycles"],
                        d["chip"]["cores"] * d["core"]["macros"] * d["macro"]["arrays"],
                        d["replication"]["max_replicas"],
                        {c: d["vector"][f"{c}_cycles"]
                         for c in ("requantize", "activation", "pool", "elementwise", "copy")})
        except KeyError as e:
            raise InputError(f"{path}: not a resolved cimc target (no key {e}); use `cimc --print-target`")


def layer_tiles(m, t):
    """(rows, cols) of every tile of a mapped layer, and its distinct partial-sum columns."""
    if m["kind"] == "depthwise_conv2d" and m["blocks_per_array"] >= 1:
        k, bc, bpa, blocks = m["block_rows"], m["block_cols"], m["blocks_per_array"], m["blocks"]
        tiles = []
        for j in range(m["arrays"]):
            nb = min(bpa, blocks - j * bpa)
            tiles.append((nb * k, nb * bc))
        return tiles, m["phys_cols"]
    if m["kind"] == "depthwise_conv2d":
        raise InputError(f"{m['name']}: a depthwise block larger than an array has no pipeline model")
    rows, phys = m["rows"], m["phys_cols"]
    tiles = [(min(t.rows, rows - i * t.rows), min(t.cols, phys - j * t.cols))
             for i in range(m["row_tiles"]) for j in range(m["col_tiles"])] * m.get("matrices", 1)
    return tiles, phys


def stage_cycles(m, t, pipe, r):
    """Convention 8: the stage of layer m with r copies, cycles per sample, and what bounds it."""
    tiles, p = layer_tiles(m, t)
    share = ceil_div(m["windows"], r)
    arr = port = 0
    for rows, cols in tiles:
        steps = share * t.input_cycles * ceil_div(rows, t.max_active_rows)
        convert = ceil_div(cols, pipe.adc_per_array) * pipe.adc_conversion if pipe.has_adc else 0
        stages = (max(pipe.array_step, 1), convert, pipe.shift_add)
        interval = max(stages)
        arr = max(arr, steps * interval + sum(stages) - interval if steps else 0)
        load, store = share * rows * ceil_div(t.input_bits, 8), share * cols * 4
        cyc = lambda b: pipe.buffer_access + ceil_div(b, pipe.buffer_bw) if b else 0
        port = max(port, cyc(load) + cyc(store))
    a = len(tiles)
    buffer = port * min(a * r, pipe.arrays_per_core)
    cores = max(ceil_div(a * r, pipe.arrays_per_core), 1)
    passes = int(m["row_tiles"] > 1 and m["kind"] != "depthwise_conv2d") + int(m["weight_bits"] > t.cell_bits)
    digital = m["windows"] * p * passes
    vector = ceil_div(ceil_div(digital, cores), pipe.lanes) * pipe.elementwise_cycles
    for cls, elements in m.get("post_ops", []):
        vector += ceil_div(ceil_div(elements, cores), pipe.lanes) * pipe.class_cycles[cls]
    terms = ((arr, "arrays"), (buffer, "buffer"), (vector, "vector"))
    top = max(c for c, _ in terms)
    name = next(n for c, n in terms if c == top)      # a tie names the first
    return {"array_cycles": arr, "buffer_cycles": buffer, "vector_cycles": vector,
            "cycles": top, "bound": name}


def pipeline(mapped, t, pipe):
    """Replica counts that minimise the HT period, found by scanning the sorted
    candidate periods (every stage value of every layer and copy count) for the
    least one whose fewest fitting copies stay within the chip's arrays."""
    mx = max(pipe.max_replicas, 1)
    arrays = [m["arrays"] for m in mapped]
    if not mapped or sum(arrays) > pipe.chip_arrays:
        counts = [1] * len(mapped)
    else:
        table = [[stage_cycles(m, t, pipe, r)["cycles"] for r in range(1, mx + 1)] for m in mapped]

        def copies(period):
            out = []
            for row in table:
                r = next((i + 1 for i, c in enumerate(row) if c <= period), None)
                if r is None:
                    return None
                out.append(r)
            return out if sum(a * r for a, r in zip(arrays, out)) <= pipe.chip_arrays else None

        candidates = sorted({c for row in table for c in row if c >= max(row[-1] for row in table)})
        lo, hi = 0, len(candidates) - 1
        while lo < hi:      # copies() is monotone in the period
            mid = (lo + hi) // 2
            if copies(candidates[mid]) is not None:
                hi = mid
            else:
                lo = mid + 1
        counts = copies(candidates[lo]) or [1] * len(mapped)
    stages = []
    for m, r in zip(mapped, counts):
        st = stage_cycles(m, t, pipe, r)
        st.update({"name": m["name"], "replicas": r, "arrays": m["arrays"] * r})
        stages.append(st)
    period = max((s["cycles"] for s in stages), default=0)
    bound = sum(stage_cycles(m, t, pipe, 1)["array_cycles"] * m["arrays"] for m in mapped) / pipe.chip_arrays
    return {"stages": stages, "period_cycles": period, "period_bound_cycles": bound,
            "latency_cycles": sum(s["cycles"] for s in stages),
            "arrays_placed": sum(s["arrays"] for s in stages),
            "period_us": period / pipe.clock_mhz}


# --------------------------------------------------------------------------
# MLIR text parsing
# --------------------------------------------------------------------------
_DEF_RE = re.compile(r'^\s*(%[\w$.-]+)(?::(\d+))?\s*=\s*(?:"([\w.]+)"|([a-z_][\w.]*))')
_SSA_RE = re.compile(r'%[\w$.-]+(?:#\d+)?')


def scan_top_level(s, start=0):
    """Yield (index, char) of characters at bracket depth 0, skipping strings; `->` is
    not a closing angle bracket."""
    depth, i, n = 0, start, len(s)
    while i < n:
        c = s[i]
        if c == '"':
            i += 1
            while i < n and s[i] != '"':
                i += 2 if s[i] == "\\" else 1
        elif c == "-" and i + 1 < n and s[i + 1] == ">":
            if depth == 0:
                yield i, "->"
            i += 1
        elif c in "([{<":
            if depth == 0:
                yield i, c
            depth += 1
        elif c in ")]}>":
            depth -= 1
            if depth == 0:
                yield i, c
        elif depth == 0:
            yield i, c
        i += 1


def split_top(s, sep=","):
    parts, last = [], 0
    for i, c in scan_top_level(s):
        if c == sep:
            parts.append(s[last:i].strip())
            last = i + 1
    parts.append(s[last:].strip())
    return [p for p in parts if p]


@dataclass
class TensorType:
    shape: list                  # ints, None for dynamic dims; None if unranked
    elem: str

    @property
    def is_int(self):
        return re.fullmatch(r"[su]?i\d+", self.elem) is not None

    @property
    def int_width(self):
        return int(re.sub(r"^[su]?i", "", self.elem))


def parse_type(s):
    s = s.strip()
    m = re.fullmatch(r"tensor<(.*)>", s)
    if not m:
        return None                # !tosa.shape<..>, none, etc.
    body = m.group(1)
    body = split_top(body, ",")[0]   # drop an encoding attribute
    if body.startswith("*x"):
        return TensorType(None, body[2:])
    parts = body.split("x")
    dims, elem = [], None
    for k, p in enumerate(parts):
        if p == "?":
            dims.append(None)
        elif p.isdigit():
            dims.append(int(p))
        else:
            elem = "x".join(parts[k:])
            break
    return TensorType(dims, elem)


def parse_signature(text):
    """`(T, T, ...) -> T` or `(T...) -> (T, ...)` -> ([types], [types])."""
    arrow = None
    for i, c in scan_top_level(text):
        if c == "->":
            arrow = i
    if arrow is None:
        return None
    lhs, rhs = text[:arrow].strip(), text[arrow + 2:].strip()
    if not (lhs.startswith("(") and lhs.endswith(")")):
        return None
    ins = [parse_type(p) for p in split_top(lhs[1:-1])]
    if rhs.startswith("(") and rhs.endswith(")"):
        outs = [parse_type(p) for p in split_top(rhs[1:-1])]
    else:
        outs = [parse_type(rhs)]
    return ins, outs


def parse_op_line(line):
    """Split an op line after `=`: (operand names, attribute text, signature text)."""
    m = _DEF_RE.match(line)
    rest = line[m.end():]
    # strip a trailing loc(...)
    locs = [i for i, c in scan_top_level(rest) if c == "(" and rest[max(0, i - 3):i] == "loc"]
    if locs:
        rest = rest[:locs[-1] - 3]
    colon = next((i for i, c in scan_top_level(rest) if c == ":"), None)
    if colon is None:
        return None
    head, sig = rest[:colon], rest[colon + 1:]
    # operands: generic form "(...)" or pretty form before the attribute dict
    attr_start = next((i for i, c in scan_top_level(head) if c in "{<" or (c == "(" and i > 0)), len(head))
    if head.lstrip().startswith("("):
        close = next(i for i, c in scan_top_level(head) if c == ")")
        operands = _SSA_RE.findall(head[:close])
        attrs = head[close + 1:]
    else:
        operands = _SSA_RE.findall(head[:attr_start])
        attrs = head[attr_start:]
    return operands, attrs, sig.strip()


def int_array_attr(attrs, name):
    m = re.search(r"\b" + name + r"\s*=\s*(?:array<i64:?\s*([-\d,\s]*)>|\[([-\d,\s]*)\])", attrs)
    if not m:
        return None
    body = m.group(1) if m.group(1) is not None else m.group(2)
    return [int(v) for v in re.findall(r"-?\d+", body)]


_ARRAY_CODES = {8: ("b", "B"), 16: ("h", "H"), 32: ("i", "I"), 64: ("q", "Q")}


def decode_hex(hexstr, tt):
    """Raw little-endian element data of an integer tensor -> array.array of ints."""
    data = bytes.fromhex(hexstr)
    w = tt.int_width
    if w == 1:
        raise ValueError("i1 constants not decoded")
    store = max(8, 1 << (w - 1).bit_length())    # 4 -> 8, 8 -> 8, 24 -> 32
    if store > 64:
        raise ValueError(f"{tt.elem} constants not decoded")
    nbytes = store // 8
    if len(data) % nbytes:
        raise ValueError(f"{len(data)} bytes is not a whole number of {nbytes}-byte elements")
    unsigned = tt.elem.startswith("ui")
    if w < store:
        if store != 8:
            raise ValueError(f"{tt.elem} constants not decoded")
        # sub-byte: low w bits of every byte, sign-extended (signed types), as one byte
        mask = (1 << w) - 1
        tab = bytes((((b & mask) - ((b & mask) >> (w - 1) << w)) & 0xFF) if not unsigned else (b & mask)
                    for b in range(256))
        data = data.translate(tab)
    code = _ARRAY_CODES[store][1 if unsigned else 0]
    if array.array(code).itemsize != nbytes:      # platform C types: find one of the right size
        code = next(c for c in ("bhilq" if not unsigned else "BHILQ") if array.array(c).itemsize == nbytes)
    vals = array.array(code, data)
    if sys.byteorder == "big" and nbytes > 1:
        vals.byteswap()
    n = math.prod(tt.shape) if tt.shape and None not in tt.shape else None
    if n is not None and len(vals) not in (1, n):
        raise ValueError(f"{len(vals)} elements in the data, type has {n}")
    return vals


def bits_needed(lo, hi):
    """Fewest bits of a signed two's-complement number holding lo..hi (>= 1)."""
    b = 1
    while lo < -(1 << (b - 1)) or hi > (1 << (b - 1)) - 1:
        b += 1
    return b


class Module:
    """Line-oriented view of an MLIR module: SSA definitions and their lines."""

    def __init__(self, text, path="<input>"):
        self.path = path
        self.lines = text.split("\n")
        self.defs = []               # per function: {ssa name: line index}
        self.ops = []                # (line index, op name, function index)
        self.resources = {}
        self.functions = []
        cur = {}
        self.defs.append(cur)
        in_res = False
        for i, l in enumerate(self.lines):
            s = l.lstrip()
            if s.startswith("{-#"):
                in_res = True
            if in_res:
                m = re.match(r'\s*"?([\w.$-]+)"?\s*:\s*"0x([0-9A-Fa-f]*)"', l)
                if m:
                    self.resources[m.group(1)] = m.group(2)
                if "#-}" in l:
                    in_res = False
                continue
            if s.startswith("func.func"):
                m = re.match(r"func\.func\s+(?:\w+\s+)?@([\w$.-]+)", s)
                self.functions.append(m.group(1) if m else "?")
                cur = {}
                self.defs.append(cur)
                continue
            if not s.startswith("%"):
                continue
            m = _DEF_RE.match(l)
            if not m:
                continue
            cur[m.group(1)] = i
            self.ops.append((i, m.group(3) or m.group(4), len(self.defs) - 1))

    def error(self, msg, i):
        return InputError(msg, i + 1)

    def op_at(self, i):
        m = _DEF_RE.match(self.lines[i])
        return m.group(3) or m.group(4)

    def result_type(self, i):
        l = self.lines[i]
        k = l.rfind("->")
        if k < 0:
            return None
        tail = l[k + 2:].strip()
        tail = re.sub(r"\s+loc\(.*\)\s*$", "", tail)
        return parse_type(tail)

    def trace_const(self, name, fidx, depth=0):
        """Follow an SSA value back through layout ops to a constant's line index."""
        i = self.defs[fidx].get(name)
        if i is None or depth > 16:
            return None
        op = self.op_at(i)
        if op in ("tosa.const", "arith.constant"):
            return i
        if op in ("tosa.reshape", "tosa.transpose", "tosa.identity", "tensor.cast"):
            p = parse_op_line(self.lines[i])
            if p and p[0]:
                return self.trace_const(p[0][0], fidx, depth + 1)
        return None

    def const_values(self, i):
        """Integer values of the constant on line i (a sequence of ints), or (None, reason)."""
        l = self.lines[i]
        tt = self.result_type(i)
        if tt is None or not tt.is_int:
            return None, "not an integer constant"
        k = l.find("dense<")
        kr = l.find("dense_resource<")
        try:
            if kr >= 0 and (k < 0 or kr < k):
                name = l[kr + len("dense_resource<"):l.find(">", kr)]
                blob = self.resources.get(name)
                if blob is None:
                    return None, f"dense_resource<{name}> has no blob in the file"
                return decode_hex(blob[8:], tt), None      # skip the 4-byte alignment header
            if k < 0:
                return None, "no dense<...> literal"
            body_start = k + len("dense<")
            if l.startswith('"0x', body_start):
                end = l.index('"', body_start + 1)
                return decode_hex(l[body_start + 3:end], tt), None
            end = l.index(">", body_start)
            body = l[body_start:end]
            vals = re.findall(r"-?\d+|true|false", body)
            if not vals:
                return None, f"cannot read dense<{body[:40]}>"
            return [1 if v == "true" else 0 if v == "false" else int(v) for v in vals], None
        except ValueError as e:
            return None, str(e)


def weight_bits_of(mod, fidx, w_name, zp_name, w_type, t, notes):
    """Convention 2. Returns (bits, source)."""
    if w_type.elem is None or not w_type.is_int:
        return t.weight_bits, "target (float weights)"
    if t.weight_bits_from == "target":
        return t.weight_bits, "target"
    if t.weight_bits_from == "type":
        return w_type.int_width, "type"
    ci = mod.trace_const(w_name, fidx)
    if ci is None:
        notes.append("weight not a constant: bits from the element type")
        return w_type.int_width, "type"
    vals, why = mod.const_values(ci)
    if vals is None or len(vals) == 0:
        notes.append(f"weight constant on line {ci + 1} not decoded ({why}): bits from the element type")
        return w_type.int_width, "type"
    zp = 0
    if zp_name is not None:
        zi = mod.trace_const(zp_name, fidx)
        zv = mod.const_values(zi)[0] if zi is not None else None
        if zv is not None and len(zv) >= 1:
            zp = int(zv[0])
        else:
            notes.append("weight zero point not read: assumed 0")
    lo, hi = min(vals) - zp, max(vals) - zp
    return bits_needed(lo, hi), f"range [{lo}, {hi}]"


CROSSBAR_OPS = {"tosa.conv2d", "tosa.depthwise_conv2d", "tosa.transpose_conv2d", "tosa.matmul",
                "tosa.fully_connected"}


def extract_layers(mod, t, dynamic_matmul="host"):
    """Crossbar layers of a module (convention 1, 5), plus host-op counts and notes."""
    layers, host, notes = [], {}, []
    for i, op, fidx in mod.ops:
        if not op.startswith("tosa."):
            continue
        if op not in CROSSBAR_OPS:
            host[op] = host.get(op, 0) + 1
            if op in ("tosa.conv3d",):
                notes.append(f"line {i + 1}: {op} is not mapped by this script (counted as a host op)")
            continue
        p = parse_op_line(mod.lines[i])
        if p is None:
            raise mod.error(f"{op}: no type signature found", i)
        operands, attrs, sig = p
        ps = parse_signature(sig)
        if ps is None:
            raise mod.error(f"{op}: cannot parse the type signature {sig[:80]!r}", i)
        ins, outs = ps
        if len(ins) < 2 or any(x is None for x in ins[:2]) or not outs or outs[0] is None:
            raise mod.error(f"{op}: expected tensor operands and result in {sig[:120]!r}", i)
        for tt in ins[:2] + outs[:1]:
            if tt.shape is None or None in tt.shape:
                raise mod.error(f"{op}: dynamic or unranked shape in {sig[:120]!r}; "
                                f"this script needs static shapes", i)
        x, w, y = ins[0], ins[1], outs[0]
        name = mod.lines[i].split("=")[0].strip()
        lnotes = []

        def need_rank(tt, r, what):
            if len(tt.shape) != r:
                raise mod.error(f"{op}: {what} must have rank {r}, got tensor<{'x'.join(map(str, tt.shape))}>", i)

        wname = operands[1] if len(operands) > 1 else None
        shapes = {"input": x.shape, "weight": w.shape, "output": y.shape, "elem": [x.elem, w.elem, y.elem]}
        if op in ("tosa.conv2d", "tosa.depthwise_conv2d", "tosa.transpose_conv2d"):
            for tt, what in ((x, "input"), (w, "weight"), (y, "output")):
                need_rank(tt, 4, what)
            zpname = operands[4] if len(operands) > 4 else None
            n, ih, iw = x.shape[:3]
            oh, ow = y.shape[1:3]
            if op == "tosa.depthwise_conv2d":
                kh, kw = w.shape[:2]
            else:
                kh, kw = w.shape[1:3]
            stride = int_array_attr(attrs, "stride") or [1, 1]
            if op == "tosa.transpose_conv2d":
                op_ = int_array_attr(attrs, "out_pad") or [0, 0, 0, 0]
                eh = (ih - 1) * stride[0] + op_[0] + op_[1] + kh
                ew = (iw - 1) * stride[1] + op_[2] + op_[3] + kw
            else:
                pad = int_array_attr(attrs, "pad") or [0, 0, 0, 0]
                dil = int_array_attr(attrs, "dilation") or [1, 1]
                eh = (ih - 1 + pad[0] + pad[1] - (kh - 1) * dil[0]) // stride[0] + 1
                ew = (iw - 1 + pad[2] + pad[3] - (kw - 1) * dil[1]) // stride[1] + 1
                shapes.update({"stride": stride, "pad": pad, "dilation": dil})
            if (eh, ew) != (oh, ow):
                lnotes.append(f"attributes give output {eh}x{ew}, type says {oh}x{ow}: used the type")
            windows = n * oh * ow
            bits, src = weight_bits_of(mod, fidx, wname, zpname, w, t, lnotes)
            if op == "tosa.depthwise_conv2d":
                c, mult = w.shape[2:4]
                spec = LayerSpec(name, "depthwise_conv2d", kh * kw, c * mult, windows, bits, line=i + 1,
                                 bits_source=src, shapes=shapes, notes=lnotes)
            else:
                cout, cin = w.shape[0], w.shape[3]
                spec = LayerSpec(name, op[5:], kh * kw * cin, cout, windows, bits, line=i + 1,
                                 bits_source=src, shapes=shapes, notes=lnotes)
            if mod.trace_const(wname, fidx) is None:
                if dynamic_matmul == "host":
                    host[op] = host.get(op, 0) + 1
                    notes.append(f"line {i + 1}: {op} {name} has non-constant weights: host op "
                                 f"(--dynamic-matmul crossbar maps it)")
                    continue
                lnotes.append("non-constant weights (mapped because of --dynamic-matmul crossbar)")
        elif op == "tosa.matmul":
            for tt, what in ((x, "a"), (w, "b"), (y, "output")):
                need_rank(tt, 3, what)
            b, m, k = x.shape
            nn = w.shape[2]
            a_const = mod.trace_const(operands[0], fidx) is not None
            b_const = mod.trace_const(operands[1], fidx) is not None
            if b_const or not a_const:
                zpname = operands[3] if len(operands) > 3 else None
                bits, src = weight_bits_of(mod, fidx, operands[1], zpname, w, t, lnotes)
                spec = LayerSpec(name, "matmul", k, nn, m, bits, matrices=b, line=i + 1, bits_source=src,
                                 shapes=shapes, notes=lnotes)
                if not b_const:
                    if dynamic_matmul == "host":
                        host[op] = host.get(op, 0) + 1
                        notes.append(f"line {i + 1}: tosa.matmul {name} has no constant operand: host op "
                                     f"(--dynamic-matmul crossbar maps it)")
                        continue
                    lnotes.append("no constant operand (mapped because of --dynamic-matmul crossbar)")
            else:
                zpname = operands[2] if len(operands) > 2 else None
                bits, src = weight_bits_of(mod, fidx, operands[0], zpname, x, t, lnotes)
                lnotes.append("constant is operand a: mapped transposed (rows = K, cols = M, windows = N)")
                spec = LayerSpec(name, "matmul", k, m, nn, bits, matrices=b, line=i + 1, bits_source=src,
                                 shapes=shapes, notes=lnotes)
        else:  # tosa.fully_connected (pre-1.0)
            need_rank(x, 2, "input")
            need_rank(w, 2, "weight")
            bits, src = weight_bits_of(mod, fidx, wname, None, w, t, lnotes)
            spec = LayerSpec(name, "fully_connected", w.shape[1], w.shape[0], x.shape[0], bits, line=i + 1,
                             bits_source=src, shapes=shapes, notes=lnotes)
        for nm in ("rows", "cols", "windows"):
            if getattr(spec, nm) < 1:
                raise mod.error(f"{op}: empty weight matrix or no windows ({nm} = {getattr(spec, nm)})", i)
        layers.append(spec)
    return layers, dict(sorted(host.items())), notes


# Convention 8's op classes: which unit runs a TOSA op between layers.
OP_CLASS = {}
for _c, _ops in (("requantize", "rescale apply_scale"),
                 ("activation", "clamp sigmoid tanh erf table abs negate"),
                 ("pool", "max_pool2d avg_pool2d reduce_sum reduce_max reduce_min"),
                 ("elementwise", "add sub mul maximum minimum arithmetic_right_shift logical_left_shift "
                                 "logical_right_shift bitwise_and bitwise_or bitwise_xor select equal greater "
                                 "greater_equal"),
                 ("copy", "concat slice pad transpose tile cast identity reverse")):
    for _o in _ops.split():
        OP_CLASS["tosa." + _o] = _c
CONST_OPS = ("tosa.const", "tosa.const_shape", "arith.constant")


def tensor_elements(tt):
    if tt is None or tt.shape is None or None in tt.shape:
        return 0
    n = 1
    for d in tt.shape:
        n *= d
    return n


def correction_constant(mod, fidx, line, spec):
    """Whether the layer's per-column constant c[o] = bias[o] - xzp*colsum[o] + K*xzp*wzp has a
    nonzero entry (its mapping then adds it in one elementwise op); True when undecodable."""
    operands = parse_op_line(mod.lines[line])[0]

    def values(k):
        if k >= len(operands):
            return [0]
        j = mod.defs[fidx].get(operands[k])
        if j is None or mod.op_at(j) not in ("tosa.const", "arith.constant"):
            return None
        v, _ = mod.const_values(j)
        return None if v is None else [int(x) for x in v]
    kind = spec.kind
    w = values(1)
    if kind in ("conv2d", "depthwise_conv2d"):
        bias, xzp, wzp = values(2), values(3), values(4)
    elif kind == "matmul":
        bias, xzp, wzp = [0], values(2), values(3)
    else:
        return True
    if w is None or bias is None or xzp is None or wzp is None:
        return True
    xzp, wzp = xzp[0], wzp[0]
    wt = parse_signature(parse_op_line(mod.lines[line])[2])[0][1]
    cols = spec.cols
    k = spec.rows
    colsum = [0] * cols
    if kind == "conv2d":          # [Cout, KH, KW, Cin]
        per = len(w) // cols if len(w) > 1 else 0
        for o in range(cols):
            colsum[o] = sum(w[o * per:(o + 1) * per]) if per else w[0] * k
    elif kind == "depthwise_conv2d":   # [KH, KW, C, M]: output c*M+m
        for idx, v in enumerate(w if len(w) > 1 else [w[0]] * (k * cols)):
            colsum[idx % cols] += v
    else:                          # matmul b [B, K, N]
        nn = wt.shape[2]
        for idx, v in enumerate(w if len(w) > 1 else [w[0]] * (k * nn)):
            colsum[idx % nn] += v
    b = bias if len(bias) > 1 else bias * cols
    return any(b[o] - xzp * colsum[o] + k * xzp * wzp != 0 for o in range(cols))


def post_ops(mod, specs, fidx_of):
    """Convention 8: per layer, the on-chip ops after it that run on its cores: an op whose first
    non-constant operand comes (through reshapes and other such ops) from the layer, plus the
    layer's correction constant add (windows x outputs elements) when it is nonzero."""
    owner = {}
    out = {s.name: [] for s in specs}
    by_line = {s.line - 1: s for s in specs}
    for i, op, fidx in mod.ops:
        if i in by_line:
            spec = by_line[i]
            owner[(fidx, spec.name)] = spec.name
            if correction_constant(mod, fidx, i, spec):
                out[spec.name].append(("elementwise", spec.windows * spec.cols * spec.matrices))
            continue
        if op in CONST_OPS or not op.startswith("tosa."):
            continue
        p = parse_op_line(mod.lines[i])
        if p is None:
            continue
        operands, _, sig = p
        live = [o for o in operands if mod.defs[fidx].get(o) is None
                or mod.op_at(mod.defs[fidx][o]) not in CONST_OPS]
        who = next((owner[(fidx, o)] for o in live if (fidx, o) in owner), None)
        if who is None:
            continue
        name = mod.lines[i].split("=")[0].strip()
        for r in re.findall(r"%[\w$.-]+", name):
            owner[(fidx, r.split(":")[0])] = who
        if op == "tosa.reshape" or op not in OP_CLASS:
            continue
        ps = parse_signature(sig)
        ins, outs = ps if ps else ([], [])
        types = [tt for o, tt in zip(operands, ins) if o in live] + list(outs)
        out[who].append((OP_CLASS[op], max((tensor_elements(tt) for tt in types), default=0)))
    return out


def analyze_text(text, t, path="<input>", dynamic_matmul="host", pipe=None):
    mod = Module(text, path)
    if not mod.functions and not mod.ops:
        raise InputError("no MLIR operations found (is this an MLIR text file?)", 1)
    specs, host, notes = extract_layers(mod, t, dynamic_matmul)
    mapped = [map_layer(s, t) for s in specs]
    if pipe is not None:
        posts = post_ops(mod, specs, None)
        for m, sp in zip(mapped, specs):
            m["post_ops"] = posts[sp.name]
    tot = totals(mapped, t)
    if not mapped:
        notes.append("no crossbar layers found")
    if t.arrays and tot["arrays"] > t.arrays:
        notes.append(f"needs {tot['arrays']} arrays, the chip has {t.arrays}: does not fit without "
                     f"reprogramming (W/N is still a lower bound on crossbar steps)")
    for m in mapped:
        for n in m["notes"]:
            notes.append(f"line {m['line']}: {m['name']}: {n}")
    res = {"file": path, "functions": mod.functions, "layers": mapped, "totals": tot,
           "host_ops": host, "notes": notes}
    if pipe is not None:
        res["pipeline"] = pipeline(mapped, t, pipe)
    return res


# --------------------------------------------------------------------------
# output
# --------------------------------------------------------------------------
def fmt_steps(d):
    """steps_per_tile histogram -> short text ("25088", "12544x3+6272")."""
    items = list(d.items())
    if len(items) == 1:
        return items[0][0]
    return "/".join(f"{k}x{v}" for k, v in items)


def fmt_bound(x):
    return f"{x:,.1f}" if x >= 10 else f"{x:.4g}"


def table(rows, header, align=None):
    w = [max(len(str(r[c])) for r in rows + [header]) for c in range(len(header))]
    out = []
    for k, r in enumerate([header] + rows):
        cells = []
        for c, v in enumerate(r):
            left = align and align[c] == "l"
            cells.append(str(v).ljust(w[c]) if left else str(v).rjust(w[c]))
        out.append("  ".join(cells).rstrip())
        if k == 0:
            out.append("  ".join("-" * x for x in w))
    return "\n".join(out)


def target_line(t):
    return (f"target: {t.rows}x{t.cols} arrays, {t.cell_bits}-bit cells, {t.weight_bits}-bit weights "
            f"(bits from {t.weight_bits_from}), {t.encoding} encoding, {t.dac_bits}-bit DAC, "
            f"{t.input_bits}-bit inputs ({t.input_cycles} cycles), max {t.max_active_rows} active rows, "
            f"chip arrays N = {t.arrays if t.arrays else 'not given'}")


def text_report(res, t):
    out = [f"== {res['file']}", target_line(t), ""]
    rows = []
    for k, m in enumerate(res["layers"]):
        rows.append([k, f"{m['name']}@{m['line']}", m["kind"], m["rows"], m["cols"], m["weight_bits"], m["slices"],
                     m["phys_cols"], m["row_tiles"], m["col_tiles"], m["arrays"], m["windows"],
                     fmt_steps(m["steps_per_tile"]), f"{m['steps']:,}"])
    hdr = ["#", "layer@line", "kind", "rows", "cols", "wbits", "slices", "physcols", "rtiles", "ctiles", "arrays",
           "windows", "steps/tile", "steps"]
    if rows:
        out.append(table(rows, hdr, "rllrrrrrrrrrrr"))
        if any(m["kind"] == "depthwise_conv2d" for m in res["layers"]):
            out.append("(depthwise: rows x physcols is the block-diagonal matrix, cols = channels*multiplier, "
                       "rtiles = arrays along the diagonal)")
        out.append("(steps/tile: steps of every array of the layer; AxB/CxD when they differ = B arrays of A steps ...)")
    tt = res["totals"]
    out.append("")
    out.append(f"crossbar layers           {tt['layers']}")
    out.append(f"arrays used X             {tt['arrays']:,}")
    out.append(f"spatial utilization       {100 * tt['spatial_utilization']:.2f}% "
               f"({tt['used_cells']:,} of {tt['total_cells']:,} cells)")
    out.append(f"work W (steps/inference)  {tt['work_steps']:,}")
    out.append(f"bottleneck (no replica)   {tt['bottleneck_steps']:,} steps ({tt['bottleneck_layer']})")
    if t.arrays:
        out.append(f"{'bound W/N (N=' + format(t.arrays, ',') + ')':<26}{fmt_bound(tt['bound_steps'])} steps"
                   + ("" if tt["fits"] else "  [does not fit: X > N]"))
    else:
        out.append("bound W/N                 n/a (give --arrays N)")
    if res["host_ops"]:
        out.append("host ops                  " + ", ".join(f"{k[5:]}x{v}" for k, v in res["host_ops"].items()))
    for n in res["notes"]:
        out.append(f"note: {n}")
    return "\n".join(out)


def summary_table(results, t):
    rows = []
    for r in results:
        tt = r["totals"]
        rows.append([r["file"], tt["layers"], f"{tt['arrays']:,}", f"{100 * tt['spatial_utilization']:.2f}%",
                     f"{tt['work_steps']:,}", f"{tt['bottleneck_steps']:,}",
                     fmt_bound(tt["bound_steps"]) if t.arrays else "n/a"])
    return table(rows, ["model", "layers", "X", "util", "W", "bottleneck", "W/N"], "lrrrrrr")


# --------------------------------------------------------------------------
# self-test
# --------------------------------------------------------------------------
def resnet18_specs(weight_bits=8):
    """ResNet-18 for ImageNet, by hand: (name, KH, KW, Cin, Cout, OH, OW)."""
    L = [("conv1", 7, 7, 3, 64, 112, 112)]
    cin, hw = 64, 56
    for s, c in enumerate((64, 128, 256, 512)):
        for b in range(2):
            stride2 = s > 0 and b == 0
            ohw = hw // 2 if stride2 else hw
            L.append((f"layer{s + 1}.{b}.conv1", 3, 3, cin, c, ohw, ohw))
            L.append((f"layer{s + 1}.{b}.conv2", 3, 3, c, c, ohw, ohw))
            if stride2:
                L.append((f"layer{s + 1}.{b}.downsample", 1, 1, cin, c, ohw, ohw))
            cin, hw = c, ohw
    L.append(("fc", 1, 1, 512, 1000, 1, 1))
    return [LayerSpec(n, "conv2d", kh * kw * ci, co, oh * ow, weight_bits) for n, kh, kw, ci, co, oh, ow in L]


SELF_TEST_MLIR = r'''module {
  func.func @main(%arg0: tensor<1x8x8x16xi8>, %arg1: tensor<2x5x64xi8>, %arg2: tensor<2x64x5xi8>, %arg3: tensor<1x9x8x1xi8>) -> tensor<1x8x8x40xi32> {
    %0 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %1 = "tosa.const"() <{values = dense<"0x@DW@"> : tensor<1x3x3x16xi8>}> : () -> tensor<1x3x3x16xi8>
    %2 = tosa.const_shape  {values = dense<[3, 3, 16, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
    %3 = tosa.reshape %1, %2 : (tensor<1x3x3x16xi8>, !tosa.shape<4>) -> tensor<3x3x16x1xi8>
    %4 = "tosa.const"() <{values = dense<0> : tensor<16xi32>}> : () -> tensor<16xi32>
    %15 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
    %5 = tosa.depthwise_conv2d %arg0, %3, %4, %0, %0 {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x8x8x16xi8>, tensor<3x3x16x1xi8>, tensor<16xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x8x8x16xi32>
    %6 = "tosa.const"() <{values = dense<[[[[-7]], [[7]], [[3]]]]> : tensor<1x3x1x1xi4>}> : () -> tensor<1x3x1x1xi4>
    %7 = "tosa.const"() <{values = dense<0> : tensor<1xi4>}> : () -> tensor<1xi4>
    %8 = "tosa.const"() <{values = dense<"0x@W40@"> : tensor<40x3x3x16xi8>}> : () -> tensor<40x3x3x16xi8>
    %9 = "tosa.const"() <{values = dense<3> : tensor<1xi8>}> : () -> tensor<1xi8>
    %10 = "tosa.conv2d"(%arg0, %8, %15, %0, %9) <{acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>}> : (tensor<1x8x8x16xi8>, tensor<40x3x3x16xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x8x8x40xi32> loc("conv")
    %12 = "tosa.const"() <{values = dense_resource<blob1> : tensor<2x64x300xi8>}> : () -> tensor<2x64x300xi8>
    %11 = tosa.matmul %arg1, %12, %0, %0 : (tensor<2x5x64xi8>, tensor<2x64x300xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<2x5x300xi32>
    %13 = tosa.matmul %arg1, %arg2, %0, %0 : (tensor<2x5x64xi8>, tensor<2x64x5xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<2x5x5xi32>
    %14 = tosa.conv2d %arg3, %6, %15, %0, %7 {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 0, 0>, stride = array<i64: 2, 1>} : (tensor<1x9x8x1xi8>, tensor<1x3x1x1xi4>, tensor<1xi32>, tensor<1xi8>, tensor<1xi4>) -> tensor<1x5x8x1xi32>
    return %10 : tensor<1x8x8x40xi32>
  }
}
{-#
  dialect_resources: {
    builtin: {
      blob1: "0x01000000@BLOB@"
    }
  }
#-}
'''


def self_test():
    fails = []

    def check(what, got, want):
        ok = got == want
        print(f"  {'ok  ' if ok else 'FAIL'} {what}: {got!r}" + ("" if ok else f" (want {want!r})"))
        if not ok:
            fails.append(what)

    t = Target()
    print("calibration: ResNet-18 (hand-written layer list) at", target_line(t))
    mapped = [map_layer(s, t) for s in resnet18_specs()]
    tot = totals(mapped, t)
    check("ResNet-18 crossbar layers", tot["layers"], 21)
    check("ResNet-18 arrays X", tot["arrays"], 3111)
    check("ResNet-18 work W", tot["work_steps"], 4899456)
    check("ResNet-18 bottleneck", tot["bottleneck_steps"], 100352)
    c1 = mapped[0]
    check("conv1 rows / phys cols", (c1["rows"], c1["phys_cols"]), (147, 257))
    check("conv1 row x col tiles", (c1["row_tiles"], c1["col_tiles"]), (2, 3))
    check("conv1 steps per tile", c1["steps_per_tile"], {"100352": 6})
    fc = mapped[-1]
    check("fc arrays / steps", (fc["row_tiles"], fc["col_tiles"], fc["steps"]), (4, 32, 1024))
    t2 = Target(arrays=4096)
    check("bound W/N at N=4096", totals([map_layer(s, t2) for s in resnet18_specs()], t2)["bound_steps"],
          4899456 / 4096)

    print("conventions:")
    td = Target(encoding="differential")
    m = map_layer(LayerSpec("c", "conv2d", 147, 64, 10, 8), td)
    check("differential doubles phys cols", (m["phys_cols"], m["col_tiles"], m["arrays"]), (512, 4, 8))
    tm = Target(max_active_rows=32)
    m = map_layer(LayerSpec("c", "conv2d", 147, 64, 10, 8), tm)
    check("max active rows 32: steps per row tile", m["steps_per_row_tile"], [10 * 8 * 4, 10 * 8 * 1])
    m = map_layer(LayerSpec("dw", "depthwise_conv2d", 9, 32, 100, 8), t)
    check("depthwise 3x3x32: blocks/array, arrays", (m["blocks_per_array"], m["arrays"]), (14, 3))
    check("depthwise 3x3x32: steps", m["steps"], 3 * 100 * 8)
    check("depthwise used cells", m["used_cells"], 32 * 9 * 5)
    m = map_layer(LayerSpec("dw", "depthwise_conv2d", 9, 32, 100, 8), tm)
    check("depthwise, 32 active rows: steps per array", m["steps_per_tile"], {"3200": 2, "1600": 1})
    m = map_layer(LayerSpec("dw", "depthwise_conv2d", 9, 96 * 2, 10, 8), Target(cols=16))
    check("depthwise, 16 cols, multiplier 2: blocks/array, arrays", (m["blocks_per_array"], m["arrays"]), (3, 64))
    m = map_layer(LayerSpec("dw", "depthwise_conv2d", 25 * 25, 3, 10, 8), t)
    check("depthwise block taller than an array", (m["blocks_per_array"], m["arrays"], m["steps"]),
          (0, 15, 3 * (10 * 8 * 4 + 10 * 8 * 1)))
    m = map_layer(LayerSpec("mm", "matmul", 64, 300, 5, 8, matrices=2), t)
    check("batched matmul arrays", (m["row_tiles"], m["col_tiles"], m["arrays"], m["steps"]),
          (1, 10, 20, 20 * 5 * 8))
    check("bits_needed", [bits_needed(*r) for r in ((-127, 127), (-128, 127), (-7, 7), (0, 0), (-1, 0), (0, 1),
                                                     (-8, 7), (-9, 0), (0, 255))],
          [8, 8, 4, 1, 1, 2, 4, 5, 9])
    check("hex i8", decode_hex("01FF807F", TensorType([4], "i8")).tolist(), [1, -1, -128, 127])
    check("hex i4", decode_hex("0F0709", TensorType([3], "i4")).tolist(), [-1, 7, -7])
    check("hex i16", decode_hex("FFFF0080", TensorType([2], "i16")).tolist(), [-1, -32768])
    check("hex ui8", decode_hex("FF00", TensorType([2], "ui8")).tolist(), [255, 0])
    check("signature", parse_signature("(tensor<1x8x8x16xi8>, tensor<?x3xi8>, !tosa.shape<4>) -> tensor<1x2xi32>"),
          ([TensorType([1, 8, 8, 16], "i8"), TensorType([None, 3], "i8"), None], [TensorType([1, 2], "i32")]))

    print("parser on an embedded module:")
    rng = random.Random(0)

    def i8(vals):
        return bytes(v & 0xFF for v in vals).hex().upper()
    dw = [rng.randint(-20, 20) for _ in range(144)]
    w40 = [rng.randint(-60, 60) for _ in range(40 * 9 * 16)]
    w40[5] = 66                                     # max 66, weight zp 3 -> [-63, 63] -> 7 bits
    w40[6] = -60
    blob = [rng.randint(-100, 100) for _ in range(2 * 64 * 300)]
    text = SELF_TEST_MLIR.replace("@DW@", i8(dw)).replace("@W40@", i8(w40)).replace("@BLOB@", i8(blob))
    res = analyze_text(text, t, "<self-test>")
    L = {m["name"]: m for m in res["layers"]}
    check("layers found", sorted(L), ["%10", "%11", "%14", "%5"])
    check("depthwise via reshape: bits, arrays", (L["%5"]["weight_bits"], L["%5"]["arrays"], L["%5"]["windows"]),
          (bits_needed(min(dw), max(dw)), 2, 64))
    check("generic conv2d: weight zp 3 and range", (L["%10"]["bits_source"], L["%10"]["weight_bits"]),
          (f"range [{min(w40) - 3}, {max(w40) - 3}]", 7))
    check("generic conv2d: tiles", (L["%10"]["rows"], L["%10"]["row_tiles"], L["%10"]["col_tiles"]), (144, 2, 2))
    check("matmul from dense_resource: bits, arrays",
          (L["%11"]["weight_bits"], L["%11"]["arrays"], L["%11"]["windows"]),
          (bits_needed(min(blob), max(blob)), 20, 5))
    check("i4 list literal: bits, slices, windows", (L["%14"]["weight_bits"], L["%14"]["slices"], L["%14"]["windows"]),
          (4, 2, 40))
    check("dynamic matmul is a host op", res["host_ops"].get("tosa.matmul"), 1)
    res2 = analyze_text(text, t, "<self-test>", dynamic_matmul="crossbar")
    check("--dynamic-matmul crossbar maps it", len(res2["layers"]), 5)
    try:
        analyze_text(text.replace("-> tensor<1x5x8x1xi32>", "-> tensor<1x?x8x1xi32>"), t, "<self-test>")
        check("dynamic shape rejected", "no error", "InputError")
    except InputError as e:
        check("dynamic shape rejected at line", e.line, 18)

    print("self-test:", "FAILED " + ", ".join(fails) if fails else "all passed")
    return 1 if fails else 0


# --------------------------------------------------------------------------
# main
# --------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("mlir", nargs="*", help="TOSA MLIR text files")
    ap.add_argument("--rows", type=int, default=128)
    ap.add_argument("--cols", type=int, default=128)
    ap.add_argument("--cell-bits", type=int, default=2)
    ap.add_argument("--weight-bits", type=int, default=8)
    ap.add_argument("--dac-bits", type=int, default=1)
    ap.add_argument("--input-bits", type=int, default=8)
    ap.add_argument("--max-active-rows", type=int, default=128)
    ap.add_argument("--encoding", default="offset", choices=["offset", "differential"])
    ap.add_argument("--arrays", type=int, default=None, help="arrays on the chip (N) for the bound W/N")
    ap.add_argument("--weight-bits-from", default="range", choices=["range", "type", "target"])
    ap.add_argument("--dynamic-matmul", default="host", choices=["host", "crossbar"])
    ap.add_argument("--json", action="store_true", help="print JSON instead of tables")
    ap.add_argument("-o", "--output", default=None, help="write the report to FILE instead of stdout")
    ap.add_argument("--pipeline", metavar="TARGET_TOML", default=None,
                    help="also model the HT pipeline (convention 8) on this resolved cimc target "
                         "(`cimc --print-target [--target T] > FILE`); its array shape overrides --rows etc.")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args(argv)
    if a.self_test:
        return self_test()
    if not a.mlir:
        ap.error("no input files (or use --self-test)")
    t = Target(a.rows, a.cols, a.cell_bits, a.weight_bits, a.dac_bits, a.input_bits, a.max_active_rows,
               a.encoding, a.arrays, a.weight_bits_from)
    pipe = None
    try:
        if a.pipeline:
            import tomllib
            pipe = Pipe.from_toml(a.pipeline)
            with open(a.pipeline, "rb") as f:
                d = tomllib.load(f)
            arr = d["array"]
            t.rows, t.cols, t.cell_bits = arr["rows"], arr["cols"], arr["cell_bits"]
            t.dac_bits, t.max_active_rows, t.encoding = arr["dac_bits"], arr["max_active_rows"], arr["encoding"]
            t.arrays = pipe.chip_arrays
        t.check()
    except (InputError, OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    results = []
    for path in a.mlir:
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
            results.append(analyze_text(text, t, path, a.dynamic_matmul, pipe))
        except InputError as e:
            print(f"{path}:{e.line if e.line else 1}: error: {e}", file=sys.stderr)
            return 2
        except (OSError, UnicodeDecodeError) as e:
            print(f"{path}: error: {e}", file=sys.stderr)
            return 2
    if a.json:
        out = json.dumps({"tool": "scripts/mapping_bounds.py", "target": asdict(t), "models": results}, indent=1)
    else:
        parts = [text_report(r, t) for r in results]
        if len(results) > 1:
            parts.append("== summary\n" + target_line(t) + "\n\n" + summary_table(results, t))
        out = "\n\n".join(parts)
    if a.output:
        with open(a.output, "w") as f:
            f.write(out + "\n")
    else:
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
