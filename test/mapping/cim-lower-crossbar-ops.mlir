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

// -----

// 16-bit inputs go through the crossbars as two i8 digit planes,
// x = 256*h + l' + 128 with h = x >> 8 and l' = (x & 255) - 128: each plane is
// im2col'd (padding: the zero point 0's digits, 0 and -128), the two matrices
// are stacked along rows (high plane first) into one cim.matmul on the same
// weights (18 rows = 2 x 9 windows, 8-bit inputs each). The weight zero point
// comes off both planes in i32; then 256*high + low + c' in i48 with
// c' = bias + 128*colsum - 128*K*wzp: 5 + 128*10 - 128*4*2 = 261 and
// 7 + 128*(-10) - 1024 = -2297.
// CHECK-LABEL: func.func @conv_i16
// CHECK: %[[X:.*]] = tosa.clamp %arg0
// CHECK: %[[EIGHT:.*]] = "tosa.const"() <{values = dense<8> : tensor<1x1x1x1xi16>}>
// CHECK: %[[HI16:.*]] = tosa.arithmetic_right_shift %[[X]], %[[EIGHT]] {round = false}
// CHECK: %[[MASK:.*]] = "tosa.const"() <{values = dense<255> : tensor<1x1x1x1xi16>}>
// CHECK: %[[AND:.*]] = tosa.bitwise_and %[[X]], %[[MASK]]
// CHECK: %[[OFF:.*]] = "tosa.const"() <{values = dense<-128> : tensor<1x1x1x1xi16>}>
// CHECK: %[[LO16:.*]] = tosa.add %[[AND]], %[[OFF]]
// CHECK: %[[HI:.*]] = tosa.cast %[[HI16]] : (tensor<1x3x3x1xi16>) -> tensor<1x3x3x1xi8>
// CHECK: %[[LO:.*]] = tosa.cast %[[LO16]] : (tensor<1x3x3x1xi16>) -> tensor<1x3x3x1xi8>
// CHECK: %[[HCOLS:.*]] = "cim.im2col"(%[[HI]]) {{.*}}pad_value = 0 : i64{{.*}} : (tensor<1x3x3x1xi8>) -> tensor<9x4xi8>
// CHECK: %[[LCOLS:.*]] = "cim.im2col"(%[[LO]]) {{.*}}pad_value = -128 : i64{{.*}} : (tensor<1x3x3x1xi8>) -> tensor<9x4xi8>
// CHECK: %[[COLS:.*]] = tosa.concat %[[HCOLS]], %[[LCOLS]] {axis = 0 : i32} : (tensor<9x4xi8>, tensor<9x4xi8>) -> tensor<18x4xi8>
// CHECK: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[}}[1, -1], [2, -2], [3, -3], [4, -4]]> : tensor<4x2xi8>}>
// CHECK: %[[P:.*]] = "cim.matmul"(%[[COLS]], %[[W]]) {blocks = 1 : i64, cell_bits = 0 : i64, input_bits = 8 : i64, layer = "conv2d_0", weight_bits = 4 : i64} : (tensor<18x4xi8>, tensor<4x2xi8>) -> tensor<18x2xi32>
// CHECK: tosa.reduce_sum
// CHECK: %[[Q:.*]] = tosa.sub %[[P]], %{{.*}} : (tensor<18x2xi32>, tensor<18x1xi32>) -> tensor<18x2xi32>
// CHECK: %[[PH:.*]] = tosa.slice %[[Q]], {{.*}} -> tensor<9x2xi32>
// CHECK: %[[PL:.*]] = tosa.slice %[[Q]], {{.*}} -> tensor<9x2xi32>
// CHECK: %[[WH:.*]] = tosa.cast %[[PH]] : (tensor<9x2xi32>) -> tensor<9x2xi48>
// CHECK: %[[WL:.*]] = tosa.cast %[[PL]] : (tensor<9x2xi32>) -> tensor<9x2xi48>
// CHECK: %[[RADIX:.*]] = "tosa.const"() <{values = dense<256> : tensor<1x1xi48>}>
// CHECK: %[[SH:.*]] = tosa.mul %[[WH]], %[[RADIX]], %{{.*}} : (tensor<9x2xi48>, tensor<1x1xi48>, tensor<1xi8>) -> tensor<9x2xi48>
// CHECK: %[[SUM:.*]] = tosa.add %[[SH]], %[[WL]] : (tensor<9x2xi48>, tensor<9x2xi48>) -> tensor<9x2xi48>
// CHECK: %[[C:.*]] = "tosa.const"() <{values = dense<{{\[}}[261, -2297]]> : tensor<1x2xi48>}>
// CHECK: %[[Y:.*]] = tosa.add %[[SUM]], %[[C]]
// CHECK: %[[R:.*]] = tosa.reshape %[[Y]], %{{.*}} : (tensor<9x2xi48>, !tosa.shape<4>) -> tensor<1x3x3x2xi48>
// CHECK: return %[[R]]
// CHECK-NOT: tosa.conv2d
func.func @conv_i16(%x: tensor<1x3x3x1xi16>) -> tensor<1x3x3x2xi48> {
  %c = tosa.clamp %x {min_val = 0 : i16, max_val = 32767 : i16} : (tensor<1x3x3x1xi16>) -> tensor<1x3x3x1xi16>
  %w = "tosa.const"() <{values = dense<[[[[1], [2]], [[3], [4]]], [[[-1], [-2]], [[-3], [-4]]]]> : tensor<2x2x2x1xi8>}> : () -> tensor<2x2x2x1xi8>
  %b = "tosa.const"() <{values = dense<[5, 7]> : tensor<2xi48>}> : () -> tensor<2xi48>
  %xz = "tosa.const"() <{values = dense<0> : tensor<1xi16>}> : () -> tensor<1xi16>
  %wz = "tosa.const"() <{values = dense<2> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.conv2d %c, %w, %b, %xz, %wz {acc_type = i48, dilation = array<i64: 1, 1>, pad = array<i64: 0, 1, 0, 1>, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xi16>, tensor<2x2x2x1xi8>, tensor<2xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<1x3x3x2xi48>
  return %0 : tensor<1x3x3x2xi48>
}

// -----

// A 16-bit depthwise convolution: both planes im2col'd channel-major and
// stacked, the channel blocks kept. The planes are 8-bit inputs even under a
// narrow clamp ([0, 15]: l' in [-128, -113], and -128 for the zero point).
// CHECK-LABEL: func.func @depthwise_i16
// CHECK: "cim.im2col"({{.*}}channel_major = true{{.*}}pad_value = 0
// CHECK: "cim.im2col"({{.*}}channel_major = true{{.*}}pad_value = -128
// CHECK: tosa.concat {{.*}} {axis = 0 : i32} : (tensor<4x8xi8>, tensor<4x8xi8>) -> tensor<8x8xi8>
// CHECK: "cim.matmul"{{.*}}blocks = 2 : i64{{.*}}input_bits = 8 : i64{{.*}} : (tensor<8x8xi8>, tensor<4x2xi8>) -> tensor<8x2xi32>
// CHECK: tosa.reshape {{.*}} -> tensor<1x2x2x2xi48>
func.func @depthwise_i16(%x: tensor<1x3x3x2xi16>) -> tensor<1x2x2x2xi48> {
  %c = tosa.clamp %x {min_val = 0 : i16, max_val = 15 : i16} : (tensor<1x3x3x2xi16>) -> tensor<1x3x3x2xi16>
  %w = "tosa.const"() <{values = dense<1> : tensor<2x2x2x1xi8>}> : () -> tensor<2x2x2x1xi8>
  %b = "tosa.const"() <{values = dense<0> : tensor<2xi48>}> : () -> tensor<2xi48>
  %xz = "tosa.const"() <{values = dense<0> : tensor<1xi16>}> : () -> tensor<1xi16>
  %wz = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %0 = tosa.depthwise_conv2d %c, %w, %b, %xz, %wz {acc_type = i48, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x3x2xi16>, tensor<2x2x2x1xi8>, tensor<2xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<1x2x2x2xi48>
  return %0 : tensor<1x2x2x2xi48>
}

// -----

// An i16 x i16 matmul whose constant weights fit in i8 (the quantizer's
// 16-bit-activation matmuls): the planes of the [M, K] input rows, stacked.
// Here c' = 128*colsum = 128*4*2 = 1024.
// CHECK-LABEL: func.func @matmul_i16
// CHECK-NOT: cim.im2col
// CHECK: tosa.arithmetic_right_shift {{.*}} : (tensor<3x4xi16>, tensor<1x1xi16>) -> tensor<3x4xi16>
// CHECK: tosa.concat {{.*}} {axis = 0 : i32} : (tensor<3x4xi8>, tensor<3x4xi8>) -> tensor<6x4xi8>
// CHECK: "cim.matmul"{{.*}} : (tensor<6x4xi8>, tensor<4x5xi8>) -> tensor<6x5xi32>
// CHECK: "tosa.const"() <{values = dense<1024> : tensor<1x5xi48>}>
// CHECK: tosa.reshape {{.*}} -> tensor<1x3x5xi48>
// CHECK-NOT: tosa.matmul
func.func @matmul_i16(%a: tensor<1x3x4xi16>) -> tensor<1x3x5xi48> {
  %w = "tosa.const"() <{values = dense<2> : tensor<1x4x5xi16>}> : () -> tensor<1x4x5xi16>
  %z = "tosa.const"() <{values = dense<0> : tensor<1xi16>}> : () -> tensor<1xi16>
  %0 = tosa.matmul %a, %w, %z, %z : (tensor<1x3x4xi16>, tensor<1x4x5xi16>, tensor<1xi16>, tensor<1xi16>) -> tensor<1x3x5xi48>
  return %0 : tensor<1x3x5xi48>
}

// -----

// i16 weights beyond i8 cannot be one crossbar weight: a host op stays.
// CHECK-LABEL: func.func @matmul_i16_wide_weights
// CHECK-NOT: cim.
// CHECK: tosa.matmul
func.func @matmul_i16_wide_weights(%a: tensor<1x3x4xi16>) -> tensor<1x3x5xi48> {
  %w = "tosa.const"() <{values = dense<300> : tensor<1x4x5xi16>}> : () -> tensor<1x4x5xi16>
  %z = "tosa.const"() <{values = dense<0> : tensor<1xi16>}> : () -> tensor<1xi16>
  %0 = tosa.matmul %a, %w, %z, %z : (tensor<1x3x4xi16>, tensor<1x4x5xi16>, tensor<1xi16>, tensor<1xi16>) -> tensor<1x3x5xi48>
  return %0 : tensor<1x3x5xi48>
}
