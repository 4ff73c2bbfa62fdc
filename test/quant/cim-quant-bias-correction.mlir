// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-bias-correction{weight-bits=2}))' | FileCheck %s
// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-bias-correction{weight-bits=2 mode=analytical}))' | FileCheck %s --check-prefix=DATAFREE
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-bias-correction{mode=empirical}))' 2>&1 | FileCheck %s --check-prefix=NODATA
// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-bias-correction{weight-bits=2 per-channel=false weight-symmetric=false}))' | FileCheck %s --check-prefix=ASYM

// Empirical: layer 2 (1x1, weights [1.0, 0.4], 2 bits per channel: s = 1)
// rounds to [1, 0]; its inputs' mean is [2, 2], so the bias moves by
// (W - W~) . E[x] = 0.4 * 2 = 0.8. Layer 1 has no recorded inputs, so in
// auto mode it falls back to batch-norm statistics, of which it has none:
// it is left as it is.
// Asymmetric 2-bit weights per tensor: [0, 1] on [-2, 1] is s = 1/3,
// z = -2: 0.4 rounds to 1/3, so the bias moves by (0.4 - 1/3) * 2; the
// grid's zero point is recorded beside its scale.
// ASYM-LABEL: func.func @empirical
// ASYM: "tosa.const"() <{values = dense<{{\[\[\[\[}}1.000000e+00, 0.333333343]]]]> : tensor<1x1x1x2xf32>}>
// ASYM: tosa.conv2d {{.*}}cim.quant.bias_correction = array<f64: 0.13333332538604736>{{.*}}cim.quant.weight_scale = array<f64: 0.3333333432674408>, cim.quant.weight_zero_point = -2 : i64
// CHECK-LABEL: func.func @empirical
// CHECK: tosa.conv2d %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {acc_type = f32, dilation
// CHECK-DAG: %[[W2:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1.000000e+00, 0.000000e+00]]]]> : tensor<1x1x1x2xf32>}>
// CHECK-DAG: %[[B2:.*]] = "tosa.const"() <{values = dense<8.000000e-01> : tensor<1xf32>}>
// CHECK: tosa.conv2d %{{.*}}, %[[W2]], %[[B2]], {{.*}}cim.quant.bias_correction = array<f64: 0.80000001192092896>{{.*}}cim.quant.weight_bits = 2 : i64, cim.quant.weight_scale = array<f64: 1.000000e+00>
// DATAFREE-LABEL: func.func @empirical
// DATAFREE-NOT: cim.quant.bias_correction
// NODATA: error: 'tosa.conv2d' op has no calibration inputs ('cim.quant.inputs') for empirical bias correction
func.func @empirical(%x: tensor<1x1x2x1xf32>) -> tensor<1x1x2x1xf32> {
  %w1 = "tosa.const"() <{values = dense<[[[[1.0]]], [[[0.5]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %b1 = "tosa.const"() <{values = dense<[0.0, 0.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %w2 = "tosa.const"() <{values = dense<[[[[1.0, 0.4]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %b2 = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c1 = tosa.conv2d %x, %w1, %b1, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  %c2 = tosa.conv2d %c1, %w2, %b2, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, cim.quant.inputs = dense<[[[[1.0, 3.0], [3.0, 1.0]]], [[[2.0, 2.0], [2.0, 2.0]]]]> : tensor<2x1x2x2xf32>} : (tensor<1x1x2x2xf32>, tensor<1x1x1x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x1xf32>
  return %c2 : tensor<1x1x2x1xf32>
}

// -----

// Analytical: layer 1's folded batch norm says its channels are
// N(2, 0.001^2); through the ReLU, E[x] = [2, 2] and layer 2's bias moves
// by 0.4 * 2 = 0.8 as above, without data. (Layer 1 itself has no
// statistics for its input.)
// In auto mode without inputs, the statistics serve.
// CHECK-LABEL: func.func @analytical
// CHECK: tosa.conv2d {{.*}}cim.quant.bias_correction = array<f64: 0.80000001192092896>
// DATAFREE-LABEL: func.func @analytical
// DATAFREE: tosa.conv2d %{{.*}} {acc_type = f32, cim.quant.bn_beta
// DATAFREE-NOT: cim.quant.bias_correction
// DATAFREE-SAME: -> tensor<1x1x2x2xf32>
// DATAFREE: tosa.conv2d {{.*}}cim.quant.bias_correction = array<f64: 0.80000001192092896>
func.func @analytical(%x: tensor<1x1x2x1xf32>) -> tensor<1x1x2x1xf32> {
  %w1 = "tosa.const"() <{values = dense<[[[[1.0]]], [[[0.5]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %b1 = "tosa.const"() <{values = dense<[0.0, 0.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %w2 = "tosa.const"() <{values = dense<[[[[1.0, 0.4]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %b2 = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c1 = tosa.conv2d %x, %w1, %b1, %z, %z {acc_type = f32, cim.quant.bn_beta = array<f64: 2.0, 2.0>, cim.quant.bn_gamma = array<f64: 0.001, 0.001>, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x2xf32>
  %r = tosa.clamp %c1 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  %c2 = tosa.conv2d %r, %w2, %b2, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x2x2xf32>, tensor<1x1x1x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2x1xf32>
  return %c2 : tensor<1x1x2x1xf32>
}
