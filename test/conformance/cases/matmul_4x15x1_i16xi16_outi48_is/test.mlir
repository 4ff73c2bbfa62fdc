module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<4x15x1xi16> {tosa.tensor_name = "input-0"}) -> (tensor<4x15x1xi48> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<32767> : tensor<4x1x1xi16>}> : () -> tensor<4x1x1xi16>
    %1 = "tosa.const"() <{values = dense<0> : tensor<1xi16>}> : () -> tensor<1xi16>
    %2 = "tosa.const"() <{values = dense<0> : tensor<1xi16>}> : () -> tensor<1xi16>
    %3 = tosa.matmul %arg0, %0, %1, %2 : (tensor<4x15x1xi16>, tensor<4x1x1xi16>, tensor<1xi16>, tensor<1xi16>) -> tensor<4x15x1xi48>
    return %3 : tensor<4x15x1xi48>
  }
}

