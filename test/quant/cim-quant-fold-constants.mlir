// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-fold-constants))' | FileCheck %s

// fp16 weights widened by a cast and reshaped into the depthwise layout, as
// TFLite's float models carry them: one f32 constant of the layer's shape,
// with the f16 values exactly (0.1 in f16 is 0.0999755859375, printed
// to f32's precision).
// CHECK-LABEL: func.func @fp16_weights
// CHECK-NOT: xf16>
// CHECK-NOT: tosa.cast
// CHECK: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1.500000e+00], [-2.250000e+00]], {{\[\[}}3.000000e+00], [0.0999755859]]]]> : tensor<1x2x2x1xf32>}>
// CHECK: tosa.depthwise_conv2d %arg0, %[[W]]
func.func @fp16_weights(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x3x2xf32> {
  %h = "tosa.const"() <{values = dense<[[[[1.5, -2.25], [3.0, 0.1]]]]> : tensor<1x1x2x2xf16>}> : () -> tensor<1x1x2x2xf16>
  %w32 = tosa.cast %h : (tensor<1x1x2x2xf16>) -> tensor<1x1x2x2xf32>
  %s = tosa.const_shape {values = dense<[1, 2, 2, 1]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %w = tosa.reshape %w32, %s : (tensor<1x1x2x2xf32>, !tosa.shape<4>) -> tensor<1x2x2x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.depthwise_conv2d %x, %w, %b, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<1x2x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x3x2xf32>
  return %0 : tensor<1x4x3x2xf32>
}

// -----

// bf16 widens too; a transpose of a constant (weights stored [I, O])
// becomes the permuted constant; an f32 -> f32 cast goes.
// CHECK-LABEL: func.func @bf16_transposed
// CHECK: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1.000000e+00, 3.000000e+00]]], {{\[\[\[}}2.000000e+00, 4.000000e+00]]]]> : tensor<2x1x1x2xf32>}>
// CHECK-NOT: tosa.cast
// CHECK-NOT: tosa.transpose
// CHECK: tosa.conv2d %arg0, %[[W]]
func.func @bf16_transposed(%x: tensor<1x1x1x2xf32>) -> tensor<1x1x1x2xf32> {
  %h = "tosa.const"() <{values = dense<[[[[1.0, 2.0], [3.0, 4.0]]]]> : tensor<1x1x2x2xbf16>}> : () -> tensor<1x1x2x2xbf16>
  %io = tosa.cast %h : (tensor<1x1x2x2xbf16>) -> tensor<1x1x2x2xf32>
  %w = tosa.transpose %io {perms = array<i32: 3, 0, 1, 2>} : (tensor<1x1x2x2xf32>) -> tensor<2x1x1x2xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %x2 = tosa.cast %x : (tensor<1x1x1x2xf32>) -> tensor<1x1x1x2xf32>
  %0 = tosa.conv2d %x2, %w, %b, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x2xf32>, tensor<2x1x1x2xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
  return %0 : tensor<1x1x1x2xf32>
}

// -----

// Activations keep their casts, reshapes and transposes; a splat f16
// constant widens to a splat.
// CHECK-LABEL: func.func @activations
// CHECK: tosa.cast %arg0 : (tensor<2x2xf32>) -> tensor<2x2xf16>
// CHECK: tosa.cast %{{.*}} : (tensor<2x2xf16>) -> tensor<2x2xf32>
// CHECK: tosa.transpose
// CHECK: "tosa.const"() <{values = dense<2.500000e-01> : tensor<2x2xf32>}>
func.func @activations(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %h = tosa.cast %x : (tensor<2x2xf32>) -> tensor<2x2xf16>
  %g = tosa.cast %h : (tensor<2x2xf16>) -> tensor<2x2xf32>
  %t = tosa.transpose %g {perms = array<i32: 1, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %c = "tosa.const"() <{values = dense<0.25> : tensor<2x2xf16>}> : () -> tensor<2x2xf16>
  %c32 = tosa.cast %c : (tensor<2x2xf16>) -> tensor<2x2xf32>
  %0 = tosa.add %t, %c32 : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}
