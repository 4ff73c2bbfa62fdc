module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<2x7x9x5x4xf32> {tosa.tensor_name = "input-0"}) -> (tensor<2x6x9x5x2xf32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<[[[[[1.17549435E-38, -0.000000e+00, 0xFF800000, 1.000000e+00]]], [[[1.17549435E-38, 1.17549435E-38, -0.000000e+00, 0xFF800000]]]], [[[[1.000000e+00, 1.17549435E-38, 1.17549435E-38, -0.000000e+00]]], [[[0xFF800000, 1.000000e+00, 1.17549435E-38, 1.17549435E-38]]]]]> : tensor<2x2x1x1x4xf32>}> : () -> tensor<2x2x1x1x4xf32>
    %1 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
    %2 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
    %3 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
    %4 = tosa.conv3d %arg0, %0, %1, %2, %3 {acc_type = f32, dilation = array<i64: 1, 1, 1>, local_bound = true, pad = array<i64: 0, 0, 0, 0, 0, 0>, stride = array<i64: 1, 1, 1>} : (tensor<2x7x9x5x4xf32>, tensor<2x2x1x1x4xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x6x9x5x2xf32>
    return %4 : tensor<2x6x9x5x2xf32>
  }
}

