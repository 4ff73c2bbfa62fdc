// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-adaround{weight-bits=2 iterations=200}))' 2>%t.err | FileCheck %s
// RUN: FileCheck %s --check-prefix=ERR < %t.err

// A 1x1 convolution, 2-bit weights per channel: [1.0, 0.45, 0.35] has
// s = 1, so every learned weight is -1, 0 or 1, and the op records the grid
// and both reconstruction losses (round-to-nearest, learned).
// CHECK-LABEL: func.func @conv
// CHECK: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}1.000000e+00, {{-?[01]\.0+e\+00}}, {{-?[01]\.0+e\+00}}]]]]> : tensor<1x1x1x3xf32>}>
// CHECK: tosa.conv2d %{{.*}}, %[[W]], {{.*}}cim.quant.adaround_loss = array<f64: {{.*}}>, cim.quant.weight_bits = 2 : i64, cim.quant.weight_scale = array<f64: 1.000000e+00>
func.func @conv(%x: tensor<1x1x1x3xf32>) -> tensor<1x1x1x1xf32> {
  %w = "tosa.const"() <{values = dense<[[[[1.0, 0.45, 0.35]]]]> : tensor<1x1x1x3xf32>}> : () -> tensor<1x1x1x3xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %b, %b {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, cim.quant.inputs = dense<[[[[1.0, 0.5, 2.0]]], [[[0.0, 1.0, 1.0]]], [[[2.0, 2.0, 0.5]]], [[[1.0, 1.5, 1.0]]]]> : tensor<4x1x1x3xf32>} : (tensor<1x1x1x3xf32>, tensor<1x1x1x3xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  return %c : tensor<1x1x1x1xf32>
}

// -----

// A depthwise convolution is one problem per input channel; a matmul's
// bias is the constant added after it. Both end on 2-bit grids.
// CHECK-LABEL: func.func @depthwise_and_matmul
// CHECK: tosa.depthwise_conv2d {{.*}}cim.quant.adaround_loss
// CHECK: tosa.matmul {{.*}}cim.quant.adaround_loss
func.func @depthwise_and_matmul(%x: tensor<1x2x2x2xf32>) -> tensor<1x1x2xf32> {
  %w = "tosa.const"() <{values = dense<[[[[0.3], [1.0]], [[0.7], [-0.2]]], [[[0.1], [0.5]], [[-0.9], [0.6]]]]> : tensor<2x2x2x1xf32>}> : () -> tensor<2x2x2x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %z = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %d = tosa.depthwise_conv2d %x, %w, %b, %z, %z {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>, cim.quant.inputs = dense<[[[[1.0, 0.5], [2.0, 0.1]], [[0.0, 1.0], [1.0, 0.2]]], [[[2.0, 2.0], [0.5, 1.0]], [[1.5, 1.0], [0.3, 0.9]]]]> : tensor<2x2x2x2xf32>} : (tensor<1x2x2x2xf32>, tensor<2x2x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x2xf32>
  %s = tosa.const_shape {values = dense<[1, 1, 2]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %r = tosa.reshape %d, %s : (tensor<1x1x1x2xf32>, !tosa.shape<3>) -> tensor<1x1x2xf32>
  %m = "tosa.const"() <{values = dense<[[[0.8, -0.3], [0.25, 0.6]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %mz = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %y = tosa.matmul %r, %m, %mz, %mz {cim.quant.inputs = dense<[[[1.0, 2.0]], [[0.5, -1.0]], [[2.0, 0.0]]]> : tensor<3x1x2xf32>} : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  %bias = "tosa.const"() <{values = dense<[[[0.1, 0.2]]]> : tensor<1x1x2xf32>}> : () -> tensor<1x1x2xf32>
  %o = tosa.add %y, %bias : (tensor<1x1x2xf32>, tensor<1x1x2xf32>) -> tensor<1x1x2xf32>
  return %o : tensor<1x1x2xf32>
}

// -----

// Without calibration inputs there is nothing to learn from.
// ERR: error: 'tosa.conv2d' op has no calibration inputs ('cim.quant.inputs'): run `cimc quantize --adaround`, which records them
func.func @no_inputs(%x: tensor<1x1x1x1xf32>) -> tensor<1x1x1x1xf32> {
  %w = "tosa.const"() <{values = dense<0.5> : tensor<1x1x1x1xf32>}> : () -> tensor<1x1x1x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %c = tosa.conv2d %x, %w, %b, %b, %b {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x1x1x1xf32>, tensor<1x1x1x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1x1xf32>
  return %c : tensor<1x1x1x1xf32>
}
