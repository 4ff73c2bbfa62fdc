module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main() -> (tensor<1xi32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<2016948252> : tensor<1xi32>}> : () -> tensor<1xi32>
    %1 = tosa.bitwise_and %0, %0 : (tensor<1xi32>, tensor<1xi32>) -> tensor<1xi32>
    return %1 : tensor<1xi32>
  }
}

