module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<i8> {tosa.tensor_name = "input-0"}) -> (tensor<i8> {tosa.tensor_name = "result-0"}) {
    %0 = tosa.bitwise_not %arg0 : (tensor<i8>) -> tensor<i8>
    return %0 : tensor<i8>
  }
}

