module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<1x11x33x4xi16> {tosa.tensor_name = "input-0"}) -> (tensor<1x4x17x4xi48> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<[[[[75], [2], [51], [54]]], [[[79], [-57], [82], [-91]]], [[[100], [6], [74], [-5]]]]> : tensor<3x1x4x1xi8>}> : () -> tensor<3x1x4x1xi8>
    %1 = "tosa.const"() <{values = dense<-15687945729109> : tensor<1xi48>}> : () -> tensor<1xi48>
    %2 = "tosa.const"() <{values = dense<0> : tensor<1xi16>}> : () -> tensor<1xi16>
    %3 = "tosa.const"() <{values = dense<63> : tensor<1xi8>}> : () -> tensor<1xi8>
    %4 = tosa.depthwise_conv2d %arg0, %0, %1, %2, %3 {acc_type = i48, dilation = array<i64: 2, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x11x33x4xi16>, tensor<3x1x4x1xi8>, tensor<1xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<1x4x17x4xi48>
    return %4 : tensor<1x4x17x4xi48>
  }
}

