module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<2x9x22x3xi16> {tosa.tensor_name = "input-0"}, %arg1: tensor<2x2x3x2xi8> {tosa.tensor_name = "input-1"}, %arg2: tensor<6xi48> {tosa.tensor_name = "input-2"}) -> (tensor<2x2x17x6xi48> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<0> : tensor<1xi16>}> : () -> tensor<1xi16>
    %1 = "tosa.const"() <{values = dense<-90> : tensor<1xi8>}> : () -> tensor<1xi8>
    %2 = tosa.depthwise_conv2d %arg0, %arg1, %arg2, %0, %1 {acc_type = i48, dilation = array<i64: 1, 7>, pad = array<i64: 0, 1, 1, 1>, stride = array<i64: 8, 1>} : (tensor<2x9x22x3xi16>, tensor<2x2x3x2xi8>, tensor<6xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<2x2x17x6xi48>
    return %2 : tensor<2x2x17x6xi48>
  }
}

