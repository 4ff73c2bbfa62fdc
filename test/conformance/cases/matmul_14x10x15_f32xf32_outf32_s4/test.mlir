module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<14x10x15xf32> {tosa.tensor_name = "input-0"}, %arg1: tensor<14x15x12xf32> {tosa.tensor_name = "input-1"}) -> (tensor<14x10x12xf32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
    %1 = "tosa.const"() <{values = dense<0.000000e+00> : tensor<1xf32>}> : () -> tensor<1xf32>
    %2 = tosa.matmul %arg0, %arg1, %0, %1 : (tensor<14x10x15xf32>, tensor<14x15x12xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<14x10x12xf32>
    return %2 : tensor<14x10x12xf32>
  }
}

