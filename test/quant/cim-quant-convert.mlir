// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-convert))' 2>/dev/null | FileCheck %s
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-convert{weight-bits=4 per-channel=false}))' 2>/dev/null | FileCheck %s --check-prefix=W4
// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-convert))' --verify-diagnostics > /dev/null
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-convert{activation-bits=6}))' 2>/dev/null | FileCheck %s --check-prefix=A6
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-convert{activation-bits=3}))' 2>&1 >/dev/null | FileCheck %s --check-prefix=A3
// A3: error: 'func.func' op activation-bits = 3 is out of range: cimc quantizes activations to 4..=8 or 16 bits
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-convert{activation-bits=16}))' 2>/dev/null | FileCheck %s --check-prefix=A16
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-convert{activation-bits=16}))' 2>&1 >/dev/null | FileCheck %s --check-prefix=A16ERR
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-convert{activation-symmetric=true}))' 2>/dev/null | FileCheck %s --check-prefix=SYM
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-convert{weight-symmetric=false per-channel=false}))' 2>/dev/null | FileCheck %s --check-prefix=ASYM
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-convert{weight-symmetric=false}))' 2>&1 >/dev/null | FileCheck %s --check-prefix=ASYMPC
// ASYMPC: cim-quant-convert.mlir:130:8: error: 'tosa.conv2d' op asymmetric weights are per tensor: a TOSA convolution or matmul has one weight zero point (per-channel=false, or 'cim.quant.per_channel' = false on the op)

// A hand-written float model (Inputs/residual.f32.mlir, from
// Inputs/gen_residual.py): conv -> ReLU, conv, a residual add -> ReLU, a
// subtraction of two activations, a concat of three, pooling and a dense
// layer. `cimc quantize` (16 calibration samples) gives integer TOSA whose
// top-1 class is the float model's on all 32 test samples
// (Inputs/residual_labels.npy holds the float model's classes); the
// simulated chip computes the same bytes.
// RUN: %cimc quantize %S/Inputs/residual.f32.mlir --calibration %S/Inputs/residual_calib.npy -o %t.res.mlir 2>/dev/null
// RUN: FileCheck %s --check-prefix=RES < %t.res.mlir
// RES: func.func @main(%{{.*}}: tensor<1x6x6x2xi8>) -> tensor<1x5xi8>
// RES-NOT: xf32>
// RES: tosa.add {{.*}} : (tensor<1x6x6x4xi32>, tensor<1x6x6x4xi32>) -> tensor<1x6x6x4xi32>
// RES-NOT: xf32>
// RES: tosa.sub {{.*}} : (tensor<1x6x6x4xi32>, tensor<1x6x6x4xi32>) -> tensor<1x6x6x4xi32>
// RES-NOT: xf32>
// RES: tosa.concat {{.*}} -> tensor<1x6x6x12xi8>
// RES-NOT: xf32>
// RUN: %cimc %t.res.mlir --run=reference --input %S/Inputs/residual_input.npy --labels %S/Inputs/residual_labels.npy -o %t.res.npy 2>/dev/null | FileCheck %s --check-prefix=RESACC
// RESACC: top-1 accuracy: 100.00% (32/32)
// RUN: %cimc -O2 %t.res.mlir --run --input %S/Inputs/residual_input.npy -o %t.res.sim.npy > /dev/null 2>&1
// RUN: cmp %t.res.npy %t.res.sim.npy
// With 4-bit weights: i4 convolution weights, an i8 matmul, 30 of 32,
// and the chip (crossbars programmed from the i4 constants) agrees.
// RUN: %cimc quantize %S/Inputs/residual.f32.mlir --calibration %S/Inputs/residual_calib.npy --weight-bits 4 -o %t.res4.mlir 2>/dev/null
// RUN: FileCheck %s --check-prefix=RES4 < %t.res4.mlir
// RES4-COUNT-3: tosa.conv2d {{.*}} tensor<1xi4>) -> tensor<1x6x6x4xi32>
// RES4: tosa.matmul {{.*}} : (tensor<1x1x12xi8>, tensor<1x12x5xi8>, tensor<1xi8>, tensor<1xi8>)
// RUN: %cimc %t.res4.mlir --run=reference --input %S/Inputs/residual_input.npy --labels %S/Inputs/residual_labels.npy -o %t.res4.npy 2>/dev/null | FileCheck %s --check-prefix=RES4ACC
// RES4ACC: top-1 accuracy: 93.75% (30/32)
// RUN: %cimc -O2 %t.res4.mlir --run --input %S/Inputs/residual_input.npy -o %t.res4.sim.npy > /dev/null 2>&1
// RUN: cmp %t.res4.npy %t.res4.sim.npy
// The same model with per-op overrides on the float ops
// (Inputs/residual_mixed.f32.mlir; calibration keeps them): the first
// conv's fused ReLU on 4 bits, the second conv W3 per tensor (i4), the 1x1
// conv on its given W4 grid of scale 1/8 (q = 8 w), the residual add on 6
// bits, the subtraction on 5, the concat on 7 (each input rescaled and
// clamped), the matmul W4 in i8.
// RUN: %cimc quantize %S/Inputs/residual_mixed.f32.mlir --calibration %S/Inputs/residual_calib.npy -o %t.mix.mlir 2>/dev/null
// RUN: FileCheck %s --check-prefix=MIX < %t.mix.mlir
// MIX: tosa.conv2d {{.*}} : (tensor<1x6x6x2xi8>, tensor<4x3x3x2xi8>,
// MIX: tosa.clamp %{{.*}} {max_val = 7 : i8, min_val = -8 : i8}
// MIX: tosa.conv2d {{.*}} : (tensor<1x6x6x4xi8>, tensor<4x3x3x4xi4>,
// MIX: tosa.add {{.*}} -> tensor<1x6x6x4xi32>
// MIX: tosa.clamp %{{.*}} {max_val = 31 : i8, min_val = -32 : i8}
// MIX: "tosa.const"() <{values = dense<{{\[\[\[\[}}7, 6]]], {{\[\[\[}}-7, 0]]], {{\[\[\[}}2, -7]]], {{\[\[\[}}1, -1]]]]> : tensor<4x1x1x2xi4>}>
// MIX: tosa.sub {{.*}} -> tensor<1x6x6x4xi32>
// MIX: tosa.clamp %{{.*}} {max_val = 15 : i8, min_val = -16 : i8}
// MIX-COUNT-3: tosa.clamp %{{.*}} {max_val = 63 : i8, min_val = -64 : i8}
// MIX-NEXT: tosa.concat
// MIX: tosa.matmul {{.*}} : (tensor<1x1x12xi8>, tensor<1x12x5xi8>,
// RUN: %cimc %t.mix.mlir --run=reference --input %S/Inputs/residual_input.npy --labels %S/Inputs/residual_labels.npy -o %t.mix.npy 2>/dev/null | FileCheck %s --check-prefix=MIXACC
// MIXACC: top-1 accuracy: 96.88% (31/32)
// RUN: %cimc -O2 %t.mix.mlir --run --input %S/Inputs/residual_input.npy -o %t.mix.sim.npy > /dev/null 2>&1
// RUN: cmp %t.mix.npy %t.mix.sim.npy

// conv → ReLU with calibrated ranges: int8 activations (s = 1/255 on
// [0, 1], z = -128), per-channel int8 weights (channel 0: max |w| = 1 →
// s = 1/127; channel 1: 0.5 → s = 0.5/127), i32 bias at s_x·s_w (0.5 → 255·127), one rescale
// per channel onto the ReLU's grid, the clamp on that grid.
// CHECK-LABEL: func.func @conv_relu(
// CHECK-SAME: %{{.*}}: tensor<1x2x2x1xi8>) -> tensor<1x2x2x2xi8>
// CHECK-SAME: cim.quant.arg_grids = [array<f64: 0.0039215688593685627, -1.280000e+02>]
// CHECK-SAME: cim.quant.result_grids = [array<f64: 0.0078431377187371254, -1.280000e+02>]
// CHECK: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}127]]], {{\[\[\[}}-127]]]]> : tensor<2x1x1x1xi8>}>
// CHECK: %[[B:.*]] = "tosa.const"() <{values = dense<[0, 32385]> : tensor<2xi32>}>
// CHECK: %[[ACC:.*]] = tosa.conv2d %{{.*}}, %[[W]], %[[B]], %{{.*}}, %{{.*}} {acc_type = i32, {{.*}}} : (tensor<1x2x2x1xi8>, tensor<2x1x1x1xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x2xi32>
// CHECK: %[[Y:.*]] = tosa.rescale %[[ACC]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {input_unsigned = false, output_unsigned = false, per_channel = true, rounding_mode = SINGLE_ROUND, scale32 = true} : (tensor<1x2x2x2xi32>, tensor<2xi32>, tensor<2xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2x2xi8>
// CHECK: %[[R:.*]] = tosa.clamp %[[Y]] {max_val = 127 : i8, min_val = -128 : i8}
// CHECK: return %[[R]] : tensor<1x2x2x2xi8>
// 4-bit per-tensor weights: s = 1/7 (an f32), so -0.5 / s = -3.4999998 → -3;
// an i4 tensor (TOSA's int4 extension) with an i4 zero point.
// W4-LABEL: func.func @conv_relu(
// W4: "tosa.const"() <{values = dense<{{\[\[\[\[}}7]]], {{\[\[\[}}-3]]]]> : tensor<2x1x1x1xi4>}>
// W4: per_channel = false
// 6-bit activations (activation-bits=6): the argument is clamped to
// [-32, 31] on its grid ([0, 1]: s = 1/63, z = -32), the ReLU the
// convolution fuses with clamps to the same range.
// A6-LABEL: func.func @conv_relu(
// A6-SAME: cim.quant.arg_grids = [array<f64: 0.01587301678955555, -3.200000e+01>]
// A6: %[[X:.*]] = tosa.clamp %arg0 {max_val = 31 : i8, min_val = -32 : i8}
// A6: tosa.conv2d %[[X]],
// A6: %[[Y:.*]] = tosa.rescale
// A6-NEXT: tosa.clamp %[[Y]] {max_val = 31 : i8, min_val = -32 : i8}
// 16-bit activations: i16 tensors on symmetric grids (zero point 0, as
// TOSA's int16 requires): [0, 1] is s = 1/32767, the ReLU's [0, 2] is
// s = 2/32767; i8 weights, an i48 bias (0.5 / (s_x s_w) = 32767 * 127)
// and accumulator, a rescale with a 16-bit multiplier (scale32 = false,
// which TOSA requires of an i48 input): 16513 / 2^22 = 1/254 = s_x s_w / s_y.
// A16-LABEL: func.func @conv_relu(
// A16-SAME: %{{.*}}: tensor<1x2x2x1xi16>) -> tensor<1x2x2x2xi16>
// A16-SAME: cim.quant.arg_grids = [array<f64: 3.0518509447574615E-5, 0.000000e+00>]
// A16-SAME: cim.quant.result_grids = [array<f64: 6.1037018895149231E-5, 0.000000e+00>]
// A16: "tosa.const"() <{values = dense<[0, 4161409]> : tensor<2xi48>}>
// A16: %[[ACC:.*]] = tosa.conv2d {{.*}} {acc_type = i48, {{.*}}} : (tensor<1x2x2x1xi16>, tensor<2x1x1x1xi8>, tensor<2xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<1x2x2x2xi48>
// A16: "tosa.const"() <{values = dense<16513> : tensor<2xi16>}>
// A16: "tosa.const"() <{values = dense<[22, 23]> : tensor<2xi8>}>
// A16: %[[Y:.*]] = tosa.rescale %[[ACC]], {{.*}} scale32 = false} : (tensor<1x2x2x2xi48>, tensor<2xi16>, tensor<2xi8>, tensor<1xi48>, tensor<1xi16>) -> tensor<1x2x2x2xi16>
// A16: tosa.clamp %[[Y]] {max_val = 32767 : i16, min_val = 0 : i16}
// Symmetric activations: zero point 0, [0, 1] is s = 1/127 and the ReLU
// keeps the non-negative half of its grid.
// SYM-LABEL: func.func @conv_relu(
// SYM-SAME: cim.quant.arg_grids = [array<f64: 0.0078740157186985015, 0.000000e+00>]
// SYM-SAME: cim.quant.result_grids = [array<f64: 0.015748031437397003, 0.000000e+00>]
// SYM: tosa.clamp %{{.*}} {max_val = 127 : i8, min_val = 0 : i8}
// Asymmetric weights, per tensor: [-0.5, 1] on [-128, 127] is s = 1.5/255,
// z = -128 - round(-0.5 / s) = -43, so 1 -> 127 and -0.5 -> -128; the
// weight zero point is the conv's operand and the bias is 0.5 / (s_x s_w).
// ASYM-LABEL: func.func @conv_relu(
// ASYM: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}127]]], {{\[\[\[}}-128]]]]> : tensor<2x1x1x1xi8>}>
// ASYM: %[[WZP:.*]] = "tosa.const"() <{values = dense<-43> : tensor<1xi8>}>
// ASYM: "tosa.const"() <{values = dense<[0, 21675]> : tensor<2xi32>}>
// ASYM: tosa.conv2d %{{.*}}, %[[W]], %{{.*}}, %{{.*}}, %[[WZP]]
func.func @conv_relu(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> attributes {cim.quant.arg_ranges = [array<f64: 0.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[[1.0]]], [[[-0.5]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<[0.0, 0.5]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, cim.quant.range = array<f64: -0.5, 1.5>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %r = tosa.clamp %c {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, cim.quant.range = array<f64: 0.0, 2.0>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %r : tensor<1x2x2x2xf32>
}

// -----

// Per-op overrides: W4 per tensor on this conv whatever the options say
// (i4 weights and an i4 zero point), a 4-bit output grid: [-0.5, 1.5] on
// [-8, 7] is s = 2/15, z = -8 - round(-3.75) = -4, and the rescale
// (saturating to int8) is followed by a clamp to [-8, 7].
// CHECK-LABEL: func.func @overrides(
// CHECK-SAME: cim.quant.result_grids = [array<f64: 0.13333334028720856, -4.000000e+00>]
// CHECK-DAG: "tosa.const"() <{values = dense<{{\[\[\[\[}}7]]], {{\[\[\[}}-3]]]]> : tensor<2x1x1x1xi4>}>
// CHECK-DAG: "tosa.const"() <{values = dense<0> : tensor<1xi4>}>
// CHECK: %[[ACC:.*]] = tosa.conv2d {{.*}} : (tensor<1x2x2x1xi8>, tensor<2x1x1x1xi4>, tensor<2xi32>, tensor<1xi8>, tensor<1xi4>) -> tensor<1x2x2x2xi32>
// CHECK: %[[Y:.*]] = tosa.rescale %[[ACC]], {{.*}} per_channel = false
// CHECK: %[[R:.*]] = tosa.clamp %[[Y]] {max_val = 7 : i8, min_val = -8 : i8}
// CHECK: return %[[R]]
// Options do not change an op that overrides them.
// W4-LABEL: func.func @overrides(
// W4: tensor<2x1x1x1xi4>
// W4: tosa.clamp %{{.*}} {max_val = 7 : i8, min_val = -8 : i8}
func.func @overrides(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> attributes {cim.quant.arg_ranges = [array<f64: 0.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[[1.0]]], [[[-0.5]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<[0.0, 0.5]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, cim.quant.range = array<f64: -0.5, 1.5>, cim.quant.weight_bits = 4 : i64, cim.quant.per_channel = false, cim.quant.activation_bits = 4 : i64} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  return %c : tensor<1x2x2x2xf32>
}

// -----

// A 4-bit matmul keeps i8 weights (TOSA has no int4 matmul), values in
// [-7, 7]; a ReLU the matmul fuses with clamps to the 6-bit grid it asks
// for: [0, 2] on [-32, 31] is s = 2/63, z = -32; ReLU on that grid is
// [-32, 31], and no second clamp follows the rescale.
// CHECK-LABEL: func.func @matmul_w4(
// CHECK: "tosa.const"() <{values = dense<{{\[\[}}[7, -7], [-3, 2]]]> : tensor<1x2x2xi8>}>
// CHECK: tosa.matmul {{.*}} : (tensor<1x1x2xi8>, tensor<1x2x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x1x2xi32>
// CHECK: %[[Y:.*]] = tosa.rescale
// CHECK-NEXT: %[[R:.*]] = tosa.clamp %[[Y]] {max_val = 31 : i8, min_val = -32 : i8}
// CHECK-NEXT: return %[[R]]
func.func @matmul_w4(%x: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[1.0, -2.0], [-0.5, 0.5]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %z, %z {cim.quant.weight_bits = 4 : i64, cim.quant.range = array<f64: -3.0, 3.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %r = tosa.clamp %m {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, cim.quant.range = array<f64: 0.0, 2.0>, cim.quant.activation_bits = 6 : i64} : (tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
  return %r : tensor<1x1x2xf32>
}

// -----

// Weights already on a grid: `cim.quant.weight_scale` gives the scales
// (here one per output channel), q = w / s is used as is (no range).
// CHECK-LABEL: func.func @given_scales(
// CHECK: "tosa.const"() <{values = dense<{{\[\[\[\[}}3]]], {{\[\[\[}}-2]]]]> : tensor<2x1x1x1xi8>}>
// CHECK: tosa.rescale {{.*}} per_channel = true
func.func @given_scales(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> attributes {cim.quant.arg_ranges = [array<f64: 0.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[[0.75]]], [[[-0.2]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<[0.0, 0.5]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, cim.quant.range = array<f64: -0.5, 1.5>, cim.quant.weight_scale = array<f64: 0.25, 0.1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  return %c : tensor<1x2x2x2xf32>
}

// -----

// Two activations added (a residual connection) with broadcasting: both
// widened to i32 on the common scale max(s_a, s_b) / 2^16, an i32 add, a
// rescale onto the output grid.
// CHECK-LABEL: func.func @add_activations(
// CHECK-SAME: %[[A:.*]]: tensor<1x2x2x2xi8>, %[[B:.*]]: tensor<1x1x1x2xi8>
// CHECK: %[[WA:.*]] = tosa.rescale %[[A]], {{.*}} : (tensor<1x2x2x2xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x2x2x2xi32>
// CHECK: %[[WB:.*]] = tosa.rescale %[[B]], {{.*}} : (tensor<1x1x1x2xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>, tensor<1xi32>) -> tensor<1x1x1x2xi32>
// CHECK: %[[S:.*]] = tosa.add %[[WA]], %[[WB]] : (tensor<1x2x2x2xi32>, tensor<1x1x1x2xi32>) -> tensor<1x2x2x2xi32>
// CHECK: %[[Y:.*]] = tosa.rescale %[[S]], {{.*}} -> tensor<1x2x2x2xi8>
// CHECK: return %[[Y]]
func.func @add_activations(%a: tensor<1x2x2x2xf32>, %b: tensor<1x1x1x2xf32>) -> tensor<1x2x2x2xf32> attributes {cim.quant.arg_ranges = [array<f64: 0.0, 1.0>, array<f64: -2.0, 2.0>]} {
  %y = tosa.add %a, %b {cim.quant.range = array<f64: -2.0, 3.0>} : (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>) -> tensor<1x2x2x2xf32>
  return %y : tensor<1x2x2x2xf32>
}

// -----

// A subtraction of two activations, fused with the ReLU that follows.
// CHECK-LABEL: func.func @sub_activations(
// CHECK: tosa.rescale
// CHECK: tosa.rescale
// CHECK: %[[S:.*]] = tosa.sub {{.*}} : (tensor<4xi32>, tensor<4xi32>) -> tensor<4xi32>
// CHECK: %[[Y:.*]] = tosa.rescale %[[S]]
// CHECK: %[[R:.*]] = tosa.clamp %[[Y]] {max_val = 127 : i8, min_val = -128 : i8}
// CHECK: return %[[R]]
func.func @sub_activations(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>, array<f64: -3.0, 1.0>]} {
  %d = tosa.sub %a, %b {cim.quant.range = array<f64: -2.0, 4.0>} : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  %r = tosa.clamp %d {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, cim.quant.range = array<f64: 0.0, 4.0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %r : tensor<4xf32>
}

// -----

// A concat: the input already on the output's grid is used as is, the
// other one rescaled onto it.
// CHECK-LABEL: func.func @concat(
// CHECK-SAME: %[[A:.*]]: tensor<1x2xi8>, %[[B:.*]]: tensor<1x3xi8>
// CHECK-NOT: tosa.rescale %[[A]]
// CHECK: %[[RB:.*]] = tosa.rescale %[[B]], {{.*}} -> tensor<1x3xi8>
// CHECK: %[[Y:.*]] = tosa.concat %[[A]], %[[RB]] {axis = 1 : i32} : (tensor<1x2xi8>, tensor<1x3xi8>) -> tensor<1x5xi8>
// CHECK: return %[[Y]]
func.func @concat(%a: tensor<1x2xf32>, %b: tensor<1x3xf32>) -> tensor<1x5xf32> attributes {cim.quant.arg_ranges = [array<f64: -2.0, 2.0>, array<f64: -1.0, 1.0>]} {
  %y = tosa.concat %a, %b {axis = 1 : i32, cim.quant.range = array<f64: -2.0, 2.0>} : (tensor<1x2xf32>, tensor<1x3xf32>) -> tensor<1x5xf32>
  return %y : tensor<1x5xf32>
}

// -----

// Bit widths out of range in an override are errors at the op, naming the
// attribute.
func.func @bad_weight_bits(%x: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[1.0, -2.0], [-0.5, 0.5]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{'cim.quant.weight_bits' = 9 is out of range: cimc quantizes weights to 2..=8 bits}}
  %m = tosa.matmul %x, %w, %z, %z {cim.quant.weight_bits = 9 : i64, cim.quant.range = array<f64: -3.0, 3.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %m : tensor<1x1x2xf32>
}

// -----

func.func @bad_activation_bits(%x: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[1.0, -2.0], [-0.5, 0.5]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{'cim.quant.activation_bits' = 3 is out of range: cimc quantizes activations to 4..=8 or 16 bits}}
  %m = tosa.matmul %x, %w, %z, %z {cim.quant.activation_bits = 3 : i64, cim.quant.range = array<f64: -3.0, 3.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %m : tensor<1x1x2xf32>
}

// -----

func.func @bad_per_channel(%x: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[1.0, -2.0], [-0.5, 0.5]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{'cim.quant.per_channel' must be true or false}}
  %m = tosa.matmul %x, %w, %z, %z {cim.quant.per_channel = 1 : i64, cim.quant.range = array<f64: -3.0, 3.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %m : tensor<1x1x2xf32>
}

// -----

// Given weight scales: every q must fit the weight width (2 bits: [-1, 1]).
func.func @scale_out_of_range(%x: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[1.0, -2.0], [-0.5, 0.5]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{weight 1 of output channel 0 is 2 on the grid of 'cim.quant.weight_scale' (scale 0.5, zero point 0): outside the 2-bit range [-1, 1]}}
  %m = tosa.matmul %x, %w, %z, %z {cim.quant.weight_bits = 2 : i64, cim.quant.weight_scale = array<f64: 0.5>, cim.quant.range = array<f64: -3.0, 3.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %m : tensor<1x1x2xf32>
}

// -----

// Weights a pass put on an asymmetric grid (`cim.quant.weight_zero_point`
// beside the scale): q = w / s + z, here s = 1/4, z = -2, 4 bits in
// [-8, 7]; the zero point is the matmul's weight zero point. Over 16-bit
// activations a matmul's weights are i16, whose zero point TOSA fixes at 0.
// CHECK-LABEL: func.func @asymmetric_given(
// CHECK: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[}}[2, -4], [-1, -2]]]> : tensor<1x2x2xi8>}>
// CHECK: %[[WZP:.*]] = "tosa.const"() <{values = dense<-2> : tensor<1xi8>}>
// CHECK: tosa.matmul %{{.*}}, %[[W]], %{{.*}}, %[[WZP]]
// A16ERR: cim-quant-convert.mlir:[[# @LINE + 4]]:8: error: 'tosa.matmul' op asymmetric weights of a matmul of 16-bit activations: TOSA's int16 matmul takes zero point 0 (make this layer's weights symmetric)
func.func @asymmetric_given(%x: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[1.0, -0.5], [0.25, 0.0]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %m = tosa.matmul %x, %w, %z, %z {cim.quant.weight_bits = 4 : i64, cim.quant.weight_scale = array<f64: 0.25>, cim.quant.weight_zero_point = -2 : i64, cim.quant.range = array<f64: -3.0, 3.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %m : tensor<1x1x2xf32>
}

// -----

// A weight zero point with one scale per output channel: TOSA has one.
func.func @asymmetric_per_channel(%x: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[1.0, -0.5], [0.25, 0.0]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{'cim.quant.weight_zero_point' with one scale per output channel: asymmetric weights are per tensor}}
  %m = tosa.matmul %x, %w, %z, %z {cim.quant.weight_scale = array<f64: 0.25, 0.25>, cim.quant.weight_zero_point = -2 : i64, cim.quant.range = array<f64: -3.0, 3.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %m : tensor<1x1x2xf32>
}

// -----

// ... and the weights must lie on the grid.
func.func @scale_off_grid(%x: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[1.0, -2.0], [-0.5, 0.3]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{weight 0.3 of output channel 1 is not on the grid of 'cim.quant.weight_scale'}}
  %m = tosa.matmul %x, %w, %z, %z {cim.quant.weight_scale = array<f64: 0.5, 0.5>, cim.quant.range = array<f64: -3.0, 3.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %m : tensor<1x1x2xf32>
}

// -----

func.func @scale_count(%x: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[1.0, -2.0], [-0.5, 0.5]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{'cim.quant.weight_scale' gives 3 scales: give one, or one per output channel (2)}}
  %m = tosa.matmul %x, %w, %z, %z {cim.quant.weight_scale = array<f64: 0.5, 0.5, 0.5>, cim.quant.range = array<f64: -3.0, 3.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %m : tensor<1x1x2xf32>
}

// -----

// A weight zero point must be an integer: a float or a boolean is not read
// as one.
func.func @zero_point_float(%x: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[1.0, -0.5], [0.25, 0.0]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{'cim.quant.weight_zero_point' must be an integer (`cim.quant.weight_zero_point = N : i64`)}}
  %m = tosa.matmul %x, %w, %z, %z {cim.quant.weight_scale = array<f64: 0.25>, cim.quant.weight_zero_point = -2.0 : f32, cim.quant.range = array<f64: -3.0, 3.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %m : tensor<1x1x2xf32>
}

// -----

func.func @zero_point_bool(%x: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[1.0, -0.5], [0.25, 0.0]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{'cim.quant.weight_zero_point' must be an integer}}
  %m = tosa.matmul %x, %w, %z, %z {cim.quant.weight_scale = array<f64: 0.25>, cim.quant.weight_zero_point = true, cim.quant.range = array<f64: -3.0, 3.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %m : tensor<1x1x2xf32>
}

// -----

// A weight that is not a number lies on no grid.
func.func @scale_nan(%x: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[1.0, -0.5], [0x7FC00000, 0.0]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{weight NaN of output channel 0 is not finite: it has no place on the grid of 'cim.quant.weight_scale'}}
  %m = tosa.matmul %x, %w, %z, %z {cim.quant.weight_scale = array<f64: 0.25>, cim.quant.range = array<f64: -3.0, 3.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %m : tensor<1x1x2xf32>
}

// -----

// ... nor on one cimc chooses.
func.func @nan_weight(%x: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[1.0, -0.5], [0x7FC00000, 0.0]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{weights: non-finite value NaN at flat index 1}}
  %m = tosa.matmul %x, %w, %z, %z {cim.quant.range = array<f64: -3.0, 3.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %m : tensor<1x1x2xf32>
}

// -----

// A multiplication by a constant: every value finite (an infinite one is
// an error at the op).
func.func @mul_infinite(%x: tensor<2xf32>) -> tensor<2xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %c = "tosa.const"() <{values = dense<0x7F800000> : tensor<2xf32>}> : () -> tensor<2xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  // expected-error@+1 {{operand 1: a constant with a non-finite value}}
  %y = tosa.mul %x, %c, %shift {cim.quant.range = array<f64: -1.0, 1.0>} : (tensor<2xf32>, tensor<2xf32>, tensor<1xi8>) -> tensor<2xf32>
  return %y : tensor<2xf32>
}

// -----

// An op that keeps its input's grid cannot change its width.
func.func @keeps_grid(%x: tensor<1x4xf32>) -> tensor<4xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %s = tosa.const_shape {values = dense<4> : tensor<1xindex>} : () -> !tosa.shape<1>
  // expected-error@+1 {{'cim.quant.activation_bits' = 4: this op keeps its input's grid (8 bits); set the width on the op that produces the input}}
  %y = tosa.reshape %x, %s {cim.quant.activation_bits = 4 : i64} : (tensor<1x4xf32>, !tosa.shape<1>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// An integer function is left alone.
// CHECK-LABEL: func.func @integer(
// CHECK-NEXT: return %{{.*}} : tensor<4xi8>
func.func @integer(%x: tensor<4xi8>) -> tensor<4xi8> {
  return %x : tensor<4xi8>
}

// -----

// Data movement keeps the argument's grid (range [-1, 3]: s = 4/255,
// z = -128 - round(-1 / s) = -64): transpose, slice and tile move the i8
// values, pad fills with the padding value put on the grid (0.0: the zero
// point), and a cast between floats is no op at all.
// CHECK-LABEL: func.func @views(
// CHECK-SAME: tensor<1x2x3xi8>
// CHECK: %[[T:.*]] = tosa.transpose %{{.*}} {perms = array<i32: 0, 2, 1>} : (tensor<1x2x3xi8>) -> tensor<1x3x2xi8>
// CHECK: %[[S:.*]] = tosa.slice %[[T]], {{.*}} -> tensor<1x2x2xi8>
// CHECK: %[[L:.*]] = tosa.tile %[[S]], {{.*}} -> tensor<1x2x4xi8>
// CHECK: %[[Z:.*]] = "tosa.const"() <{values = dense<-64> : tensor<1xi8>}>
// CHECK: %[[P:.*]] = tosa.pad %[[L]], %{{.*}}, %[[Z]] : (tensor<1x2x4xi8>, !tosa.shape<6>, tensor<1xi8>) -> tensor<1x4x4xi8>
// CHECK-NOT: tosa.cast
// CHECK: return %[[P]] : tensor<1x4x4xi8>
func.func @views(%x: tensor<1x2x3xf32>) -> tensor<1x4x4xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 3.0>]} {
  %t = tosa.transpose %x {perms = array<i32: 0, 2, 1>} : (tensor<1x2x3xf32>) -> tensor<1x3x2xf32>
  %b = tosa.const_shape {values = dense<[0, 1, 0]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %n = tosa.const_shape {values = dense<[1, 2, 2]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %s = tosa.slice %t, %b, %n : (tensor<1x3x2xf32>, !tosa.shape<3>, !tosa.shape<3>) -> tensor<1x2x2xf32>
  %m = tosa.const_shape {values = dense<[1, 1, 2]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %l = tosa.tile %s, %m : (tensor<1x2x2xf32>, !tosa.shape<3>) -> tensor<1x2x4xf32>
  %h = tosa.cast %l : (tensor<1x2x4xf32>) -> tensor<1x2x4xf16>
  %g = tosa.cast %h : (tensor<1x2x4xf16>) -> tensor<1x2x4xf32>
  %padding = tosa.const_shape {values = dense<[0, 0, 1, 1, 0, 0]> : tensor<6xindex>} : () -> !tosa.shape<6>
  %zero = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %p = tosa.pad %g, %padding, %zero : (tensor<1x2x4xf32>, !tosa.shape<6>, tensor<1xf32>) -> tensor<1x4x4xf32>
  return %p : tensor<1x4x4xf32>
}

// -----

// An elementwise function is a lookup table over the 256 input values:
// input grid s = 2/255, z = -1 (range [-1, 1]); output grid [0, 1]:
// s = 1/255, z = -128. Entry 0 (q = -128, x = -127 * 2/255) is
// sigmoid(-0.996) = 0.2697 -> round(68.8) - 128 = -59; entry 255
// (q = 127, x = 1.0039) is 0.7318 -> 187 - 128 = 59 (MLIR prints the
// table in hex: 0xC5 ... 0x3B).
// CHECK-LABEL: func.func @sigmoid(
// CHECK: %[[T:.*]] = "tosa.const"() <{values = dense<"0xC5{{[0-9A-F]*}}3B"> : tensor<256xi8>}>
// CHECK: tosa.table %arg0, %[[T]] : (tensor<4xi8>, tensor<256xi8>) -> tensor<4xi8>
func.func @sigmoid(%x: tensor<4xf32>) -> tensor<4xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %y = tosa.sigmoid %x {cim.quant.range = array<f64: 0.0, 1.0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// Ops cimc does not quantize are named.
func.func @sin(%x: tensor<4xf32>) -> tensor<4xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  // expected-error@+1 {{cannot quantize 'tosa.sin': cimc's quantization covers conv2d, depthwise_conv2d, matmul, clamp, reshape, transpose, slice, tile, pad, cast between floats, max_pool2d, avg_pool2d, resize, sigmoid, tanh, exp, log, reciprocal, rsqrt, erf, pow by a constant, reduce_sum, reduce_max, reduce_min, argmax, concat, select, and mul, add, sub, maximum, minimum, greater_equal, greater and equal of activations and constants}}
  %y = tosa.sin %x {cim.quant.range = array<f64: -1.0, 1.0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// Without calibration there are no ranges.
// expected-error@+1 {{'cim.quant.arg_ranges' must give one range per argument (1): calibrate first (cimc quantize)}}
func.func @uncalibrated(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> {
  %y = tosa.clamp %x {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  return %y : tensor<1x2x2x1xf32>
}
