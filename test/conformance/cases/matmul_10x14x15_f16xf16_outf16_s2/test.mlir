module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<10x14x15xf16> {tosa.tensor_name = "input-0"}, %arg1: tensor<10x15x11xf16> {tosa.tensor_name = "input-1"}) -> (tensor<10x14x11xf16> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf16>}> : () -> tensor<1xf16>
    %1 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf16>}> : () -> tensor<1xf16>
    %2 = tosa.matmul %arg0, %arg1, %0, %1 : (tensor<10x14x15xf16>, tensor<10x15x11xf16>, tensor<1xf16>, tensor<1xf16>) -> tensor<10x14x11xf16>
    return %2 : tensor<10x14x11xf16>
  }
}

