module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<1x11x44x13xi8> {tosa.tensor_name = "input-0"}, %arg1: tensor<2x5x5x13xi8> {tosa.tensor_name = "input-1"}, %arg2: tensor<1xi32> {tosa.tensor_name = "input-2"}) -> (tensor<1x12x23x2xi32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<-75> : tensor<1xi8>}> : () -> tensor<1xi8>
    %1 = "tosa.const"() <{values = dense<40> : tensor<1xi8>}> : () -> tensor<1xi8>
    %2 = tosa.conv2d %arg0, %arg1, %arg2, %0, %1 {acc_type = i32, dilation = array<i64: 2, 2>, pad = array<i64: 0, 9, 9, 0>, stride = array<i64: 1, 2>} : (tensor<1x11x44x13xi8>, tensor<2x5x5x13xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x12x23x2xi32>
    return %2 : tensor<1x12x23x2xi32>
  }
}

