module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<3x4x31x3xi8> {tosa.tensor_name = "input-0"}, %arg1: tensor<1x1x1x3xi8> {tosa.tensor_name = "input-1"}) -> (tensor<3x9x33x1xi32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<-797215026> : tensor<1xi32>}> : () -> tensor<1xi32>
    %1 = "tosa.const"() <{values = dense<-52> : tensor<1xi8>}> : () -> tensor<1xi8>
    %2 = "tosa.const"() <{values = dense<20> : tensor<1xi8>}> : () -> tensor<1xi8>
    %3 = tosa.transpose_conv2d %arg0, %arg1, %0, %1, %2 {acc_type = i32, out_pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 2, 1>} : (tensor<3x4x31x3xi8>, tensor<1x1x1x3xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<3x9x33x1xi32>
    return %3 : tensor<3x9x33x1xi32>
  }
}

