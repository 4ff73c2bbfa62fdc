module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<2000x1x1xi8> {tosa.tensor_name = "input-0"}, %arg1: tensor<2000x1x1xi8> {tosa.tensor_name = "input-1"}) -> (tensor<2000x1x1xi32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
    %1 = "tosa.const"() <{values = dense<-61> : tensor<1xi8>}> : () -> tensor<1xi8>
    %2 = tosa.matmul %arg0, %arg1, %0, %1 : (tensor<2000x1x1xi8>, tensor<2000x1x1xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<2000x1x1xi32>
    return %2 : tensor<2000x1x1xi32>
  }
}

