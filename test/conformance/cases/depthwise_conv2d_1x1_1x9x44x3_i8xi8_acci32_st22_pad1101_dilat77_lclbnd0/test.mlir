module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<1x9x44x3xi8> {tosa.tensor_name = "input-0"}, %arg1: tensor<3xi32> {tosa.tensor_name = "input-1"}) -> (tensor<1x6x23x3xi32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<[[[[49], [24], [-45]]]]> : tensor<1x1x3x1xi8>}> : () -> tensor<1x1x3x1xi8>
    %1 = "tosa.const"() <{values = dense<86> : tensor<1xi8>}> : () -> tensor<1xi8>
    %2 = "tosa.const"() <{values = dense<-23> : tensor<1xi8>}> : () -> tensor<1xi8>
    %3 = tosa.depthwise_conv2d %arg0, %0, %arg1, %1, %2 {acc_type = i32, dilation = array<i64: 7, 7>, pad = array<i64: 1, 1, 0, 1>, stride = array<i64: 2, 2>} : (tensor<1x9x44x3xi8>, tensor<1x1x3x1xi8>, tensor<3xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x6x23x3xi32>
    return %3 : tensor<1x6x23x3xi32>
  }
}

