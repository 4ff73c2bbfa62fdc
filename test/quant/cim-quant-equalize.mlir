// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-equalize))' | FileCheck %s

// conv → ReLU → 1×1 conv. Channel ranges r1 = [4, 1] (layer 1 rows),
// r2 = [1, 4] (layer 2 input channels): s = sqrt(r1 / r2) = [2, 0.5], so
// layer 1's weights become [2, 2] and its bias [0.5, 2], layer 2's [2, 2].
// CHECK-LABEL: func.func @chain
// CHECK-DAG: "tosa.const"() <{values = dense<2.000000e+00> : tensor<2x1x1x1xf32>}>
// CHECK-DAG: "tosa.const"() <{values = dense<[5.000000e-01, 2.000000e+00]> : tensor<2xf32>}>
// CHECK-DAG: "tosa.const"() <{values = dense<2.000000e+00> : tensor<1x1x1x2xf32>}>
func.func @chain(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> {
  %w1 = "tosa.const"() <{values = dense<[[[[4.0]]], [[[1.0]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %b1 = "tosa.const"() <{values = dense<[1.0, 1.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %w2 = "tosa.const"() <{values = dense<[[[[1.0, 4.0]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %b2 = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c1 = tosa.conv2d %x, %w1, %b1, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %r = tosa.clamp %c1 {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %c2 = tosa.conv2d %r, %w2, %b2, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  return %c2 : tensor<1x2x2x1xf32>
}

// -----

// ReLU6 is not positively homogeneous: the chain stops there.
// CHECK-LABEL: func.func @relu6
// CHECK-DAG: "tosa.const"() <{values = dense<{{\[\[\[\[}}4.000000e+00]]], {{\[\[\[}}1.000000e+00]]]]> : tensor<2x1x1x1xf32>}>
func.func @relu6(%x: tensor<1x2x2x1xf32>) -> tensor<1x2x2x1xf32> {
  %w1 = "tosa.const"() <{values = dense<[[[[4.0]]], [[[1.0]]]]> : tensor<2x1x1x1xf32>}> : () -> tensor<2x1x1x1xf32>
  %b1 = "tosa.const"() <{values = dense<[1.0, 1.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %w2 = "tosa.const"() <{values = dense<[[[[1.0, 4.0]]]]> : tensor<1x1x1x2xf32>}> : () -> tensor<1x1x1x2xf32>
  %b2 = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c1 = tosa.conv2d %x, %w1, %b1, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xf32>, tensor<2x1x1x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  %r = tosa.clamp %c1 {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x2x2x2xf32>) -> tensor<1x2x2x2xf32>
  %c2 = tosa.conv2d %r, %w2, %b2, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x2xf32>, tensor<1x1x1x2xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  return %c2 : tensor<1x2x2x1xf32>
}
