module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<1x37x11x5xf32> {tosa.tensor_name = "input-0"}, %arg1: tensor<5x5x5x7xf32> {tosa.tensor_name = "input-1"}) -> (tensor<1x6x5x35xf32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<35xf32>}> : () -> tensor<35xf32>
    %1 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
    %2 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
    %3 = tosa.depthwise_conv2d %arg0, %arg1, %0, %1, %2 {acc_type = f32, dilation = array<i64: 7, 1>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 2, 2>} : (tensor<1x37x11x5xf32>, tensor<5x5x5x7xf32>, tensor<35xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x6x5x35xf32>
    return %3 : tensor<1x6x5x35xf32>
  }
}

