module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main() -> (tensor<i8> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<-58> : tensor<i8>}> : () -> tensor<i8>
    %1 = tosa.bitwise_or %0, %0 : (tensor<i8>, tensor<i8>) -> tensor<i8>
    return %1 : tensor<i8>
  }
}

