module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<1x5x6x3xi8> {tosa.tensor_name = "input-0"}) -> (tensor<1x2x2x3xi8> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<-118> : tensor<1xi8>}> : () -> tensor<1xi8>
    %1 = "tosa.const"() <{values = dense<38> : tensor<1xi8>}> : () -> tensor<1xi8>
    %2 = tosa.avg_pool2d %arg0, %0, %1 {acc_type = i32, kernel = array<i64: 8192, 3>, pad = array<i64: 8191, 8188, 0, 1>, stride = array<i64: 8192, 4>} : (tensor<1x5x6x3xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x3xi8>
    return %2 : tensor<1x2x2x3xi8>
  }
}

