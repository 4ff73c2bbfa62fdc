module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<5x16x11x7xf16> {tosa.tensor_name = "input-0"}, %arg1: tensor<1x1x3x7xf16> {tosa.tensor_name = "input-1"}) -> (tensor<5x13x16x1xf16> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf16>}> : () -> tensor<1xf16>
    %1 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf16>}> : () -> tensor<1xf16>
    %2 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf16>}> : () -> tensor<1xf16>
    %3 = tosa.conv2d %arg0, %arg1, %0, %1, %2 {acc_type = f32, dilation = array<i64: 1, 2>, local_bound = true, pad = array<i64: 0, 9, 9, 0>, stride = array<i64: 2, 1>} : (tensor<5x16x11x7xf16>, tensor<1x1x3x7xf16>, tensor<1xf16>, tensor<1xf16>, tensor<1xf16>) -> tensor<5x13x16x1xf16>
    return %3 : tensor<5x13x16x1xf16>
  }
}

