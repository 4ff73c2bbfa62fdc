module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<1x13x33x3xi16> {tosa.tensor_name = "input-0"}) -> (tensor<1x13x33x9xi48> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<[[[[2, 23, 108]]], [[[-124, -124, 66]]], [[[-23, 90, 126]]], [[[-54, 43, 101]]], [[[-76, -90, -85]]], [[[-77, -55, -36]]], [[[-61, 1, -34]]], [[[5, 77, -46]]], [[[61, 120, 25]]]]> : tensor<9x1x1x3xi8>}> : () -> tensor<9x1x1x3xi8>
    %1 = "tosa.const"() <{values = dense<-68865662668480> : tensor<1xi48>}> : () -> tensor<1xi48>
    %2 = "tosa.const"() <{values = dense<0> : tensor<1xi16>}> : () -> tensor<1xi16>
    %3 = "tosa.const"() <{values = dense<69> : tensor<1xi8>}> : () -> tensor<1xi8>
    %4 = tosa.transpose_conv2d %arg0, %0, %1, %2, %3 {acc_type = i48, out_pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x13x33x3xi16>, tensor<9x1x1x3xi8>, tensor<1xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<1x13x33x9xi48>
    return %4 : tensor<1x13x33x9xi48>
  }
}

