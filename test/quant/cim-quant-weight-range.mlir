// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-weight-range))' | FileCheck %s
// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-weight-range{per-channel=false}))' | FileCheck %s --check-prefix=TENSOR
// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-weight-range{weight-bits=2 weight-range=mse per-channel=false}))' | FileCheck %s --check-prefix=MSE
// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-weight-range{weight-bits=2 weight-range=mse per-channel=false},cim-quant-fake-quant{activations=false weight-bits=2 per-channel=false}))' | FileCheck %s --check-prefix=FQ
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-weight-range{per-channel=false},cim-quant-convert))' 2>&1 >/dev/null | FileCheck %s --check-prefix=MISMATCH
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-weight-range{weight-bits=9}))' 2>&1 >/dev/null | FileCheck %s --check-prefix=BITS
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-weight-range{weight-symmetric=false}))' 2>&1 >/dev/null | FileCheck %s --check-prefix=ASYMPC
// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-weight-range{weight-bits=2 weight-range=mse per-channel=false weight-noise=0.5}))' | FileCheck %s --check-prefix=NOISE
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-weight-range{weight-noise=1}))' 2>&1 >/dev/null | FileCheck %s --check-prefix=NOISE-MINMAX
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-weight-range{weight-range=mse weight-noise=-1}))' 2>&1 >/dev/null | FileCheck %s --check-prefix=NOISE-NEGATIVE

// A convolution with two output channels, weights [1, -0.3] and [0.5, 0].
// Min-max per channel: one (lo, hi) pair per output channel.
// CHECK-LABEL: func.func @conv(
// CHECK: tosa.conv2d {{.*}}cim.quant.weight_range = array<f64: -0.30000001192092896, 1.000000e+00, 0.000000e+00, 5.000000e-01>
// Per tensor: one pair.
// TENSOR-LABEL: func.func @conv(
// TENSOR: tosa.conv2d {{.*}}cim.quant.weight_range = array<f64: -0.30000001192092896, 1.000000e+00>
// MSE clipping for a 2-bit symmetric grid {-s, 0, s}: s = 0.75 (a = 3/4)
// costs 0.0625 + 0.09 + 0.0625 against 0.34 at s = 1 (0.5 rounds up to 1)
// and 0.29 at s = 0.5.
// MSE-LABEL: func.func @conv(
// MSE: tosa.conv2d {{.*}}cim.quant.weight_range = array<f64: -0.22500000894069672, 7.500000e-01>
// The passes that put weights on a grid use the recorded range: fake-quant
// with min-max options gives the MSE grid's values (1 and 0.5 -> 0.75).
// FQ-LABEL: func.func @conv(
// FQ: "tosa.const"() <{values = dense<{{\[\[\[\[}}7.500000e-01, 0.000000e+00]]], {{\[\[\[}}7.500000e-01, 0.000000e+00]]]]> : tensor<2x1x1x2xf32>}>
// MSE-LABEL: func.func @overrides(
// MSE: tosa.conv2d {{.*}}cim.quant.weight_range = array<f64: -0.22500000894069672, 7.500000e-01>
// MSE-NOT: weight_range
// MSE: return
// Noise-aware: with half a step of noise on every stored weight, the
// expected error adds 4 · (s/2)², so the search clips below MSE's 0.75.
// NOISE-LABEL: func.func @conv(
// (s = 0.45: rounding 0.3275 + noise 0.2025, against 0.7775 at 0.75.)
// NOISE: tosa.conv2d {{.*}}cim.quant.weight_range = array<f64: -0.13500000536441803, 0.44999998807907104>
// NOISE-MINMAX: error: 'func.func' op weight-noise needs weight-range=mse (min-max has nothing to trade the noise against)
// NOISE-NEGATIVE: error: 'func.func' op weight-noise = -1: must be a finite number ≥ 0
// A range recorded per tensor does not fit a per-channel grid.
// MISMATCH: error: 'tosa.conv2d' op 'cim.quant.weight_range' holds 2 values: a per-channel grid needs 2 (lo, hi) pair(s); run cim-quant-weight-range with the same per-channel choice
// BITS: error: 'func.func' op weight-bits = 9 is out of range: cimc quantizes weights to 2..=8 bits
// ASYMPC: error: 'tosa.conv2d' op asymmetric weights are per tensor
func.func @conv(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[[1.0, -0.3]]], [[[0.5, 0.0]]]]> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, cim.quant.range = array<f64: -2.0, 2.0>} : (tensor<1x2x2x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  return %c : tensor<1x2x2x2xf32>
}

// -----

// Per-op overrides choose the grid the range is fitted to (here per tensor
// whatever the options say; the MSE run fits it to 2 bits), and weights a
// pass already put on a grid (cim.quant.weight_scale) are left alone.
// CHECK-LABEL: func.func @overrides(
// CHECK: tosa.conv2d {{.*}}cim.quant.weight_range = array<f64: -0.30000001192092896, 1.000000e+00>
// CHECK-NOT: weight_range
// CHECK: return
func.func @overrides(%x: tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = "tosa.const"() <{values = dense<[[[[1.0, -0.3]]], [[[0.5, 0.0]]]]> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, cim.quant.weight_bits = 2 : i64, cim.quant.per_channel = false} : (tensor<1x2x2x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %w2 = "tosa.const"() <{values = dense<[[[[1.0, -0.5]]], [[[0.5, 0.0]]]]> : tensor<2x1x1x2xf32>}> : () -> tensor<2x1x1x2xf32>
  %d = tosa.conv2d %c, %w2, %b, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, cim.quant.weight_scale = array<f64: 0.5>, cim.quant.weight_bits = 8 : i64} : (tensor<1x2x2x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  return %d : tensor<1x2x2x2xf32>
}
