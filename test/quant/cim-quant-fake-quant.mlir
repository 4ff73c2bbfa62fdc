// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-fake-quant))' 2>/dev/null | FileCheck %s
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-fake-quant{activations=false weight-bits=4 per-channel=false}))' 2>/dev/null | FileCheck %s --check-prefix=W4
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-fake-quant{weights=false only=conv1}))' 2>/dev/null | FileCheck %s --check-prefix=ONLY
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-fake-quant{skip=arg#0,tosa.clamp#4}))' 2>/dev/null | FileCheck %s --check-prefix=SKIP
// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-fake-quant))' --verify-diagnostics > /dev/null
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-fake-quant{activation-bits=4}))' 2>/dev/null | FileCheck %s --check-prefix=A4
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-fake-quant{only=conv9}))' 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-fake-quant{activations=false weight-bits=4 per-channel=false weight-symmetric=false}))' 2>/dev/null | FileCheck %s --check-prefix=WASYM
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-fake-quant{weights=false activation-bits=16}))' 2>/dev/null | FileCheck %s --check-prefix=A16
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-fake-quant{weights=false activation-symmetric=true}))' 2>/dev/null | FileCheck %s --check-prefix=ASYMM

// conv → ReLU, calibrated. The argument's grid is [0, 1]: s = 1/255,
// z = -128, so q(x) = clamp(floor(x * 255 + 0.5), 0, 255) * (1/255). The
// convolution's only user is the clamp: like cim-quant-convert it takes the
// clamp's range [0, 2] (s = 2/255, z = -128); the clamp keeps that grid.
// 1/s rounds to the f32 254.999985. Weights per channel at 8 bits: each
// channel holds only its extreme, which is on its grid (W4 below rounds).
// CHECK-LABEL: func.func @conv_relu(
// CHECK: %[[INV:.*]] = "tosa.const"() <{values = dense<254.999985> : tensor<1x1x1x1xf32>}>
// CHECK: %[[HALF:.*]] = "tosa.const"() <{values = dense<5.000000e-01> : tensor<1x1x1x1xf32>}>
// CHECK: %[[S:.*]] = "tosa.const"() <{values = dense<0.00392156886> : tensor<1x1x1x1xf32>}>
// CHECK: %[[SHIFT:.*]] = "tosa.const"() <{values = dense<0> : tensor<1xi8>}>
// CHECK: %[[A:.*]] = tosa.mul %arg0, %[[INV]], %[[SHIFT]]
// CHECK: %[[B:.*]] = tosa.add %[[A]], %[[HALF]]
// CHECK: %[[C:.*]] = tosa.floor %[[B]]
// CHECK: %[[D:.*]] = tosa.clamp %[[C]] {max_val = 2.550000e+02 : f32, min_val = 0.000000e+00 : f32}
// CHECK: %[[X:.*]] = tosa.mul %[[D]], %[[S]], %[[SHIFT]] {cim.quant.fake_quant = "arg#0"}
// CHECK: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}-3.000000e-01]]]]> : tensor<2x1x1x1xf32>}>
// CHECK: %[[CONV:.*]] = tosa.conv2d %[[X]], %[[W]],
// CHECK: tosa.mul %[[CONV]], %{{.*}}, %{{.*}}
// CHECK: tosa.floor
// CHECK: tosa.clamp %{{.*}} {max_val = 2.550000e+02 : f32, min_val = 0.000000e+00 : f32}
// CHECK: %[[Y:.*]] = tosa.mul %{{.*}}, %{{.*}}, %{{.*}} {cim.quant.fake_quant = "conv1"}
// CHECK: %[[R:.*]] = tosa.clamp %[[Y]] {cim.quant.range
// CHECK: tosa.floor
// CHECK: %[[Z:.*]] = tosa.mul %{{.*}}, %{{.*}}, %{{.*}} {cim.quant.fake_quant = "tosa.clamp#4"}
// CHECK: return %[[Z]]
// Weights only, 4 bits per tensor: s = 1/7; -0.3 * 7 = -2.1 → -2 → -2/7.
// W4-LABEL: func.func @conv_relu(
// W4-NOT: tosa.floor
// W4: "tosa.const"() <{values = dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}-0.285714298]]]]> : tensor<2x1x1x1xf32>}>
// W4-NOT: tosa.floor
// W4: return
// Only the layer named conv1 (its location), activations only.
// ONLY-LABEL: func.func @conv_relu(
// ONLY-NEXT: "tosa.const"() <{values = dense<{{\[\[\[\[}}1.000000e+00]]], {{\[\[\[}}-3.000000e-01]]]]>
// ONLY: tosa.conv2d %arg0,
// ONLY: tosa.floor
// ONLY: tosa.mul {{.*}} {cim.quant.fake_quant = "conv1"}
// ONLY-NOT: tosa.floor
// ONLY: return
// Everything but the argument and the clamp.
// SKIP-LABEL: func.func @conv_relu(
// SKIP-NOT: "arg#0"
// SKIP: {cim.quant.fake_quant = "conv1"}
// SKIP-NOT: fake_quant
// SKIP: return
// 4-bit activations: on [0, 1], s = 1/15 (1/s rounds to 14.999999),
// z = -8, so the integer range [-8, 7] is [0, 15] once z is taken off.
// A4-LABEL: func.func @conv_relu(
// A4: %[[INV:.*]] = "tosa.const"() <{values = dense<14.999999> : tensor<1x1x1x1xf32>}>
// A4: tosa.clamp %{{.*}} {max_val = 1.500000e+01 : f32, min_val = 0.000000e+00 : f32}
// UNKNOWN: error: 'func.func' op no layer named 'conv9' (the layers: arg#0, conv1, tosa.clamp#4)
// Asymmetric 4-bit weights per tensor: [-0.3, 1] on [-8, 7] is s = 1.3/15,
// z = -8 - round(-3.46) = -5; 1 -> round(11.54) - 5 = 7 -> 12 s = 1.04 and
// -0.3 -> -3 - 5 = -8 -> -3 s = -0.26 (the rounded zero point shifts the
// grid by less than a step).
// WASYM-LABEL: func.func @conv_relu(
// WASYM: "tosa.const"() <{values = dense<{{\[\[\[\[}}1.040000e+00]]], {{\[\[\[}}-2.600000e-01]]]]> : tensor<2x1x1x1xf32>}>
// 16-bit activations: symmetric, [0, 1] is s = 1/32767, q in [-32768, 32767].
// A16-LABEL: func.func @conv_relu(
// A16: "tosa.const"() <{values = dense<3.276700e+04> : tensor<1x1x1x1xf32>}>
// A16: tosa.clamp %{{.*}} {max_val = 3.276700e+04 : f32, min_val = -3.276800e+04 : f32}
// Symmetric 8-bit activations: s = 1/127, z = 0.
// ASYMM-LABEL: func.func @conv_relu(
// ASYMM: "tosa.const"() <{values = dense<1.270000e+02> : tensor<1x1x1x1xf32>}>
// ASYMM: tosa.clamp %{{.*}} {max_val = 1.270000e+02 : f32, min_val = -1.280000e+02 : f32}
func.func @conv_relu(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> attributes {cim.quant.arg_ranges = [array<f64: 0.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[[1.0]]], [[[-0.3]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<[0.0, 0.5]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, cim.quant.range = array<f64: -0.5, 1.5>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32> loc("conv1")
  %r = tosa.clamp %c {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, cim.quant.range = array<f64: 0.0, 2.0>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %r : tensor<1x2x2x2xf32>
}

// -----

// A per-op bit width: `cim.quant.weight_bits = 2` puts this matmul's
// weights on {-1, 0, 1} · s per column (s = max |w| of the column):
// column 0 [0.8, 0.3] → [0.8, 0], column 1 [-0.5, 0.2] → [-0.5, 0].
// CHECK-LABEL: func.func @weight_bits(
// CHECK: "tosa.const"() <{values = dense<{{\[\[\[}}8.000000e-01, -5.000000e-01], [0.000000e+00, 0.000000e+00]]]> : tensor<1x2x2xf32>}>
// CHECK: tosa.matmul
func.func @weight_bits(%x: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[0.8, -0.5], [0.3, 0.2]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.matmul %x, %w, %z, %z {cim.quant.weight_bits = 2 : i64, cim.quant.range = array<f64: -1.0, 1.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %y : tensor<1x1x2xf32>
}

// -----

// Activations need calibrated ranges.
// expected-error@+1 {{no activation ranges recorded ('cim.quant.arg_ranges', 'cim.quant.range'): calibrate first (cimc quantize), or fake-quantize weights only (activations=false)}}
func.func @uncalibrated(%x: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> {
  %w = "tosa.const"() <{values = dense<[[[0.8, -0.5], [0.3, 0.2]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.matmul %x, %w, %z, %z : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %y : tensor<1x1x2xf32>
}

// -----

// Weights that are not constants, and bit widths out of range, are errors
// at the op.
func.func @errors(%x: tensor<1x1x2xf32>, %v: tensor<1x2x2xf32>) -> tensor<1x1x2xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>, array<f64: -1.0, 1.0>]} {
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{'tosa.matmul' op the weights must be a float tosa.const: crossbars hold constant weights}}
  %y = tosa.matmul %x, %v, %z, %z {cim.quant.range = array<f64: -1.0, 1.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %y : tensor<1x1x2xf32>
}

// -----

func.func @bits(%x: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[0.8, -0.5], [0.3, 0.2]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{'tosa.matmul' op 'cim.quant.weight_bits' = 9 is out of range: cimc quantizes weights to 2..=8 bits}}
  %y = tosa.matmul %x, %w, %z, %z {cim.quant.weight_bits = 9 : i64, cim.quant.range = array<f64: -1.0, 1.0>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %y : tensor<1x1x2xf32>
}
