module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main() -> (tensor<f16> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<-3.386720e+00> : tensor<f16>}> : () -> tensor<f16>
    %1 = tosa.tanh %0 : (tensor<f16>) -> tensor<f16>
    return %1 : tensor<f16>
  }
}

