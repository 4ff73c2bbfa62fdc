// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-convert))' 2>/dev/null | FileCheck %s
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-convert{weight-bits=4 per-channel=false}))' 2>/dev/null | FileCheck %s --check-prefix=W4
// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-convert))' --verify-diagnostics > /dev/null

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
// 4-bit per-tensor weights: s = 1/7 (an f32), so -0.5 / s = -3.4999998 → -3.
// W4-LABEL: func.func @conv_relu(
// W4: "tosa.const"() <{values = dense<{{\[\[\[\[}}7]]], {{\[\[\[}}-3]]]]> : tensor<2x1x1x1xi8>}>
// W4: per_channel = false
func.func @conv_relu(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x2xf32> attributes {cim.quant.arg_ranges = [array<f64: 0.0, 1.0>]} {
  %w = "tosa.const"() <{values = dense<[[[[1.0]]], [[[-0.5]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<[0.0, 0.5]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, cim.quant.range = array<f64: -0.5, 1.5>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %r = tosa.clamp %c {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, cim.quant.range = array<f64: 0.0, 2.0>} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  return %r : tensor<1x2x2x2xf32>
}

// -----

// An integer function is left alone.
// CHECK-LABEL: func.func @integer(
// CHECK-NEXT: return %{{.*}} : tensor<4xi8>
func.func @integer(%x: tensor<4xi8>) -> tensor<4xi8> {
  return %x : tensor<4xi8>
}

// -----

// Ops cimc does not quantize are named.
func.func @sigmoid(%x: tensor<4xf32>) -> tensor<4xf32> attributes {cim.quant.arg_ranges = [array<f64: -1.0, 1.0>]} {
  // expected-error@+1 {{cannot quantize 'tosa.sigmoid': cimc's quantization covers conv2d, depthwise_conv2d, matmul, clamp, reshape, max_pool2d, avg_pool2d, reduce_sum, and mul, add and sub with a constant}}
  %y = tosa.sigmoid %x {cim.quant.range = array<f64: 0.0, 1.0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// Without calibration there are no ranges.
// expected-error@+1 {{'cim.quant.arg_ranges' must give one range per argument (1): calibrate first (cimc quantize)}}
func.func @uncalibrated(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> {
  %y = tosa.clamp %x {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32>
  return %y : tensor<1x2x2x1xf32>
}
