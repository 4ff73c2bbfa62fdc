// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-legalize-custom))' --verify-diagnostics | FileCheck %s

// MediaPipe's transposed convolution with bias (SAME, stride 2): the result
// is the full (9 - 1) * 2 + 2 = 18, so SAME removes nothing.
// CHECK-LABEL: func.func @same
// CHECK: %[[Z:.*]] = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}>
// CHECK: tosa.transpose_conv2d %arg0, %arg1, %arg2, %[[Z]], %[[Z]] {acc_type = f32, out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x9x9x4xf32>, tensor<2x2x2x4xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x18x18x2xf32>
// CHECK-NOT: tosa.custom
func.func @same(%x: tensor<1x9x9x4xf32>, %w: tensor<2x2x2x4xf32>, %b: tensor<2xf32>) -> tensor<1x18x18x2xf32> {
  %0 = tosa.custom %x, %w, %b {domain_name = "TFL", implementation_attrs = "\01\00\00\00\02\00\00\00\02\00\00\00", operator_name = "Convolution2DTransposeBias"} : (tensor<1x9x9x4xf32>, tensor<2x2x2x4xf32>, tensor<2xf32>) -> tensor<1x18x18x2xf32>
  return %0 : tensor<1x18x18x2xf32>
}

// -----

// SAME with a 3x3 kernel and stride 2 on 4x4: the full result is 9 x 9, the
// result 8 x 8, so one row and column go, none before (half of 1, rounded
// down) and one after: out_pad = [0, -1, 0, -1]. Strides are width then
// height in TFLite's parameters (here 2 wide, 1 high).
// CHECK-LABEL: func.func @same_cropped
// CHECK: tosa.transpose_conv2d {{.*}} {acc_type = f32, out_pad = array<i64: 0, -1, 0, -1>, stride = array<i64: 2, 2>}
// CHECK-LABEL: func.func @valid_rectangular
// CHECK: tosa.transpose_conv2d {{.*}} {acc_type = f32, out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 2>} {{.*}} -> tensor<1x6x9x1xf32>
func.func @same_cropped(%x: tensor<1x4x4x1xf32>, %w: tensor<1x3x3x1xf32>, %b: tensor<1xf32>) -> tensor<1x8x8x1xf32> {
  %0 = tosa.custom %x, %w, %b {domain_name = "TFL", implementation_attrs = "\01\00\00\00\02\00\00\00\02\00\00\00", operator_name = "Convolution2DTransposeBias"} : (tensor<1x4x4x1xf32>, tensor<1x3x3x1xf32>, tensor<1xf32>) -> tensor<1x8x8x1xf32>
  return %0 : tensor<1x8x8x1xf32>
}
func.func @valid_rectangular(%x: tensor<1x4x4x1xf32>, %w: tensor<1x3x3x1xf32>, %b: tensor<1xf32>) -> tensor<1x6x9x1xf32> {
  %0 = tosa.custom %x, %w, %b {domain_name = "TFL", implementation_attrs = "\02\00\00\00\02\00\00\00\01\00\00\00", operator_name = "Convolution2DTransposeBias"} : (tensor<1x4x4x1xf32>, tensor<1x3x3x1xf32>, tensor<1xf32>) -> tensor<1x6x9x1xf32>
  return %0 : tensor<1x6x9x1xf32>
}

// -----

// Parameters that do not give the result are an error at the op.
func.func @wrong_size(%x: tensor<1x4x4x1xf32>, %w: tensor<1x3x3x1xf32>, %b: tensor<1xf32>) -> tensor<1x12x12x1xf32> {
  // expected-error@+1 {{TFL Convolution2DTransposeBias: the parameters give a 9 x 9 result, the op's type says 12 x 12}}
  %0 = tosa.custom %x, %w, %b {domain_name = "TFL", implementation_attrs = "\02\00\00\00\02\00\00\00\02\00\00\00", operator_name = "Convolution2DTransposeBias"} : (tensor<1x4x4x1xf32>, tensor<1x3x3x1xf32>, tensor<1xf32>) -> tensor<1x12x12x1xf32>
  return %0 : tensor<1x12x12x1xf32>
}

// -----

func.func @short_options(%x: tensor<1x4x4x1xf32>, %w: tensor<1x3x3x1xf32>, %b: tensor<1xf32>) -> tensor<1x9x9x1xf32> {
  // expected-error@+1 {{TFL Convolution2DTransposeBias: implementation_attrs holds 4 bytes, not TfLiteTransposeConvParams (12)}}
  %0 = tosa.custom %x, %w, %b {domain_name = "TFL", implementation_attrs = "\02\00\00\00", operator_name = "Convolution2DTransposeBias"} : (tensor<1x4x4x1xf32>, tensor<1x3x3x1xf32>, tensor<1xf32>) -> tensor<1x9x9x1xf32>
  return %0 : tensor<1x9x9x1xf32>
}

// -----

// Other custom operators stay (cim-verify-tosa-spec names them).
// CHECK-LABEL: func.func @other
// CHECK: tosa.custom
func.func @other(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = tosa.custom %x {domain_name = "TFL", implementation_attrs = "", operator_name = "MaxUnpooling2D"} : (tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
