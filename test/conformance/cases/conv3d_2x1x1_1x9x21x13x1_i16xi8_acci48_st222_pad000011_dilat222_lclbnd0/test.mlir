module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<1x9x21x13x1xi16> {tosa.tensor_name = "input-0"}) -> (tensor<1x4x11x8x1xi48> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<[[[[[-109]]], [[[-21]]]]]> : tensor<1x2x1x1x1xi8>}> : () -> tensor<1x2x1x1x1xi8>
    %1 = "tosa.const"() <{values = dense<131085165444715> : tensor<1xi48>}> : () -> tensor<1xi48>
    %2 = "tosa.const"() <{values = dense<0> : tensor<1xi16>}> : () -> tensor<1xi16>
    %3 = "tosa.const"() <{values = dense<86> : tensor<1xi8>}> : () -> tensor<1xi8>
    %4 = tosa.conv3d %arg0, %0, %1, %2, %3 {acc_type = i48, dilation = array<i64: 2, 2, 2>, pad = array<i64: 0, 0, 0, 0, 1, 1>, stride = array<i64: 2, 2, 2>} : (tensor<1x9x21x13x1xi16>, tensor<1x2x1x1x1xi8>, tensor<1xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<1x4x11x8x1xi48>
    return %4 : tensor<1x4x11x8x1xi48>
  }
}

