module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<3x3x11x12x3xi8> {tosa.tensor_name = "input-0"}, %arg1: tensor<2x1x2x1x3xi8> {tosa.tensor_name = "input-1"}) -> (tensor<3x2x11x12x2xi32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<1622382238> : tensor<1xi32>}> : () -> tensor<1xi32>
    %1 = "tosa.const"() <{values = dense<78> : tensor<1xi8>}> : () -> tensor<1xi8>
    %2 = "tosa.const"() <{values = dense<-7> : tensor<1xi8>}> : () -> tensor<1xi8>
    %3 = tosa.conv3d %arg0, %arg1, %0, %1, %2 {acc_type = i32, dilation = array<i64: 1, 2, 1>, pad = array<i64: 0, 0, 1, 1, 0, 0>, stride = array<i64: 2, 1, 1>} : (tensor<3x3x11x12x3xi8>, tensor<2x1x2x1x3xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<3x2x11x12x2xi32>
    return %3 : tensor<3x2x11x12x2xi32>
  }
}

