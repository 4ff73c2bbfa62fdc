module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<4x11x11x13xi16> {tosa.tensor_name = "input-0"}, %arg1: tensor<11x3x3x13xi8> {tosa.tensor_name = "input-1"}) -> (tensor<4x5x5x11xi48> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<[-92227745704605, -106552555903391, -104268761726396, 12944618085245, -135474334410340, 30253768708609, -114230152204708, -40834625846319, 15521932805941, -12769594003373, -38590226304637]> : tensor<11xi48>}> : () -> tensor<11xi48>
    %1 = "tosa.const"() <{values = dense<0> : tensor<1xi16>}> : () -> tensor<1xi16>
    %2 = "tosa.const"() <{values = dense<6> : tensor<1xi8>}> : () -> tensor<1xi8>
    %3 = tosa.conv2d %arg0, %arg1, %0, %1, %2 {acc_type = i48, dilation = array<i64: 1, 2>, pad = array<i64: 0, 0, 1, 1>, stride = array<i64: 2, 2>} : (tensor<4x11x11x13xi16>, tensor<11x3x3x13xi8>, tensor<11xi48>, tensor<1xi16>, tensor<1xi8>) -> tensor<4x5x5x11xi48>
    return %3 : tensor<4x5x5x11xi48>
  }
}

