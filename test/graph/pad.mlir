// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-graph))' | FileCheck %s

// A spatial pad with the input zero point folds into the convolution's
// own padding (pad-into-conv2d).
// CHECK-LABEL: func.func @fold
// CHECK-SAME: fired = {"pad-into-conv2d" = 1 : i64}
// CHECK-NOT: tosa.pad
// CHECK: tosa.conv2d %arg0
// CHECK-SAME: pad = array<i64: 1, 1, 1, 1>
func.func @fold(%x: tensor<1x6x6x2xi8>) -> tensor<1x6x6x3xi32> {
  %p = tosa.const_shape {values = dense<[0, 0, 1, 1, 1, 1, 0, 0]> : tensor<8xindex>} : () -> !tosa.shape<8>
  %zp = "tosa.const"() <{values = dense<-5> : tensor<1xi8>}> : () -> tensor<1xi8>
  %padded = tosa.pad %x, %p, %zp : (tensor<1x6x6x2xi8>, !tosa.shape<8>, tensor<1xi8>) -> tensor<1x8x8x2xi8>
  %w = "tosa.const"() <{values = dense<[[[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]], [[-1, -2], [-3, -4], [-5, -6]]], [[[1, 0], [0, 1], [1, 1]], [[2, 2], [0, 0], [-2, 2]], [[3, -3], [1, 1], [0, 5]]], [[[9, 8], [7, 6], [5, 4]], [[3, 2], [1, 0], [-1, -2]], [[-3, -4], [-5, -6], [-7, -8]]]]> : tensor<3x3x3x2xi8>}> : () -> tensor<3x3x3x2xi8>
  %b = "tosa.const"() <{values = dense<[10, -20, 30]> : tensor<3xi32>}> : () -> tensor<3xi32>
  %wzp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %y = tosa.conv2d %padded, %w, %b, %zp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x8x8x2xi8>, tensor<3x3x3x2xi8>, tensor<3xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x6x6x3xi32>
  return %y : tensor<1x6x6x3xi32>
}

// -----

// A pad with another value than the zero point stays.
// CHECK-LABEL: func.func @other_value
// CHECK: tosa.pad
// CHECK: tosa.conv2d
// CHECK-SAME: pad = array<i64: 0, 0, 0, 0>
func.func @other_value(%x: tensor<1x6x6x2xi8>) -> tensor<1x8x8x3xi32> {
  %p = tosa.const_shape {values = dense<[0, 0, 1, 1, 1, 1, 0, 0]> : tensor<8xindex>} : () -> !tosa.shape<8>
  %c = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %padded = tosa.pad %x, %p, %c : (tensor<1x6x6x2xi8>, !tosa.shape<8>, tensor<1xi8>) -> tensor<1x8x8x2xi8>
  %w = "tosa.const"() <{values = dense<1> : tensor<3x1x1x2xi8>}> : () -> tensor<3x1x1x2xi8>
  %b = "tosa.const"() <{values = dense<0> : tensor<3xi32>}> : () -> tensor<3xi32>
  %zp = "tosa.const"() <{values = dense<3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wzp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %y = tosa.conv2d %padded, %w, %b, %zp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x8x8x2xi8>, tensor<3x1x1x2xi8>, tensor<3xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x8x8x3xi32>
  return %y : tensor<1x8x8x3xi32>
}
