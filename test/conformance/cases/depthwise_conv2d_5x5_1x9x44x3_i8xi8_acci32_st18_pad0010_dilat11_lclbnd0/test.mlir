module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<1x9x44x3xi8> {tosa.tensor_name = "input-0"}, %arg1: tensor<5x5x3x3xi8> {tosa.tensor_name = "input-1"}) -> (tensor<1x5x6x9xi32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<-263314323> : tensor<1xi32>}> : () -> tensor<1xi32>
    %1 = "tosa.const"() <{values = dense<-95> : tensor<1xi8>}> : () -> tensor<1xi8>
    %2 = "tosa.const"() <{values = dense<-103> : tensor<1xi8>}> : () -> tensor<1xi8>
    %3 = tosa.depthwise_conv2d %arg0, %arg1, %0, %1, %2 {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 1, 0>, stride = array<i64: 1, 8>} : (tensor<1x9x44x3xi8>, tensor<5x5x3x3xi8>, tensor<1xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x5x6x9xi32>
    return %3 : tensor<1x5x6x9xi32>
  }
}

