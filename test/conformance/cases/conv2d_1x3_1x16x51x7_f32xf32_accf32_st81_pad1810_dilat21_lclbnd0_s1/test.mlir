module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<1x16x51x7xf32> {tosa.tensor_name = "input-0"}, %arg1: tensor<5x1x3x7xf32> {tosa.tensor_name = "input-1"}) -> (tensor<1x4x50x5xf32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<-1.15605387E+37> : tensor<1xf32>}> : () -> tensor<1xf32>
    %1 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
    %2 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
    %3 = tosa.conv2d %arg0, %arg1, %0, %1, %2 {acc_type = f32, dilation = array<i64: 2, 1>, pad = array<i64: 1, 8, 1, 0>, stride = array<i64: 8, 1>} : (tensor<1x16x51x7xf32>, tensor<5x1x3x7xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x50x5xf32>
    return %3 : tensor<1x4x50x5xf32>
  }
}

