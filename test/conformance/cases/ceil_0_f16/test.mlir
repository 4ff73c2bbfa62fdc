module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<f16> {tosa.tensor_name = "input-0"}) -> (tensor<f16> {tosa.tensor_name = "result-0"}) {
    %0 = tosa.ceil %arg0 : (tensor<f16>) -> tensor<f16>
    return %0 : tensor<f16>
  }
}

