module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<17x1xf16> {tosa.tensor_name = "input-0"}) -> (tensor<17x1xf16> {tosa.tensor_name = "result-0"}) {
    %0 = tosa.add %arg0, %arg0 : (tensor<17x1xf16>, tensor<17x1xf16>) -> tensor<17x1xf16>
    return %0 : tensor<17x1xf16>
  }
}

