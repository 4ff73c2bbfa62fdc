module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main() -> (tensor<f16> {tosa.tensor_name = "const-0"}) {
    %0 = "tosa.const"() <{values = dense<2.380000e+02> : tensor<f16>}> : () -> tensor<f16>
    return %0 : tensor<f16>
  }
}

