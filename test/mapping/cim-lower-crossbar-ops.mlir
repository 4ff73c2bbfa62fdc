// RUN: %cimc %s --split-input-file --verify-diagnostics --pass-pipeline='builtin.module(func.func(cim-lower-crossbar-ops))' | FileCheck %s

// A conv2d becomes im2col (padding filled with the input zero point), a
// crossbar matmul over the OHWI weights as a [KH*KW*C, O] matrix, and the
// per-channel constant bias - xzp*colsum (here 5 - (-3)*(1+2+3+4) = 35,
// 7 - (-3)*(-1-2-3-4) = -23).
// CHECK-LABEL: func.func @conv
// CHECK: %[[COLS:.*]] = "cim.im2col"(%arg0) {channel_major = false, dilation = array<i64: 1, 1>, kernel = array<i64: 2, 2>, pad = array<i64: 0, 1, 0, 1>, pad_value = -3 : i64, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xi8>) -> tensor<9x4xi8>
// CHECK: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[}}[1, -1], [2, -2], [3, -3], [4, -4]]> : tensor<4x2xi8>}>
// CHECK: %[[P:.*]] = "cim.matmul"(%[[COLS]], %[[W]]) {blocks = 1 : i64, cell_bits = 0 : i64, input_bits = 8 : i64, layer = "conv2d_0", weight_bits = 4 : i64} : (tensor<9x4xi8>, tensor<4x2xi8>) -> tensor<9x2xi32>
// CHECK: %[[C:.*]] = "tosa.const"() <{values = dense<{{\[}}[35, -23]]> : tensor<1x2xi32>}>
// CHECK: %[[Y:.*]] = tosa.add %[[P]], %[[C]]
// CHECK: tosa.reshape %[[Y]]
// CHECK-NOT: tosa.conv2d
func.func @conv(%x: tensor<1x3x3x1xi8>) -> tensor<1x3x3x2xi32> {
  %w = "tosa.const"() <{values = dense<[[[[1], [2]], [[3], [4]]], [[[-1], [-2]], [[-3], [-4]]]]> : tensor<2x2x2x1xi8>}> : () -> tensor<2x2x2x1xi8>
  %b = "tosa.const"() <{values = dense<[5, 7]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %xz = "tosa.const"() <{values = dense<-3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wz = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.conv2d %x, %w, %b, %xz, %wz {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xi8>, tensor<2x2x2x1xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x3x2xi32>
  return %0 : tensor<1x3x3x2xi32>
}

// -----

// A weight zero point adds -wzp*Σx per window; input bits follow the
// producing clamp's range ([0, 15] and the zero point 0: 5 bits).
// CHECK-LABEL: func.func @weight_zero_point
// CHECK: "cim.matmul"{{.*}}input_bits = 5 : i64
// CHECK: tosa.cast
// CHECK: tosa.reduce_sum
// CHECK: tosa.mul
// CHECK: tosa.sub
func.func @weight_zero_point(%x: tensor<1x2x2x1xi8>) -> tensor<1x2x2x1xi32> {
  %c = tosa.clamp %x {min_val = 0 : i8, max_val = 15 : i8} : (tensor<1x2x2x1xi8>) -> tensor<1x2x2x1xi8>
  %w = "tosa.const"() <{values = dense<3> : tensor<1x1x1x1xi8>}> : () -> tensor<1x1x1x1xi8>
  %b = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %xz = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wz = "tosa.const"() <{values = dense<2> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.conv2d %c, %w, %b, %xz, %wz {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x2x2x1xi8>, tensor<1x1x1x1xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x1xi32>
  return %0 : tensor<1x2x2x1xi32>
}

// -----

// Depthwise: channel-major im2col and compact blocks, one per channel.
// CHECK-LABEL: func.func @depthwise
// CHECK: "cim.im2col"(%arg0) {channel_major = true
// CHECK-SAME: -> tensor<4x8xi8>
// CHECK: "cim.matmul"{{.*}}blocks = 2 : i64{{.*}} : (tensor<4x8xi8>, tensor<4x2xi8>) -> tensor<4x2xi32>
func.func @depthwise(%x: tensor<1x3x3x2xi8>) -> tensor<1x2x2x2xi32> {
  %w = "tosa.const"() <{values = dense<1> : tensor<2x2x2x1xi8>}> : () -> tensor<2x2x2x1xi8>
  %b = "tosa.const"() <{values = dense<0> : tensor<2xi32>}> : () -> tensor<2xi32>
  %z = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.depthwise_conv2d %x, %w, %b, %z, %z {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x3x2xi8>, tensor<2x2x2x1xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x2xi32>
  return %0 : tensor<1x2x2x2xi32>
}

// -----

// A matmul with constant weights: no im2col, the input rows are the windows.
// CHECK-LABEL: func.func @matmul
// CHECK-NOT: cim.im2col
// CHECK: "cim.matmul"{{.*}} : (tensor<3x4xi8>, tensor<4x5xi8>) -> tensor<3x5xi32>
func.func @matmul(%a: tensor<1x3x4xi8>) -> tensor<1x3x5xi32> {
  %w = "tosa.const"() <{values = dense<2> : tensor<1x4x5xi8>}> : () -> tensor<1x4x5xi8>
  %z = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.matmul %a, %w, %z, %z : (tensor<1x3x4xi8>, tensor<1x4x5xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x5xi32>
  return %0 : tensor<1x3x5xi32>
}

// -----

// Weights that are not constants cannot be programmed: a host op stays.
// CHECK-LABEL: func.func @dynamic_weights
// CHECK: tosa.matmul
func.func @dynamic_weights(%a: tensor<1x3x4xi8>, %b: tensor<1x4x5xi8>) -> tensor<1x3x5xi32> {
  %z = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.matmul %a, %b, %z, %z : (tensor<1x3x4xi8>, tensor<1x4x5xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x3x5xi32>
  return %0 : tensor<1x3x5xi32>
}

// -----

func.func @float_conv(%x: tensor<1x3x3x1xf32>) -> tensor<1x3x3x1xf32> {
  %w = "tosa.const"() <{values = dense<1.0> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  // expected-error@+1 {{'tosa.conv2d' op computes on f32: crossbar arrays compute on integers; quantize first}}
  %0 = tosa.conv2d %x, %w, %b, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x3x1xf32>
  return %0 : tensor<1x3x3x1xf32>
}
