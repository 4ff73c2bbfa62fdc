module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<i32> {tosa.tensor_name = "input-0"}) -> (tensor<i32> {tosa.tensor_name = "result-0"}) {
    %0 = tosa.clz %arg0 : (tensor<i32>) -> tensor<i32>
    return %0 : tensor<i32>
  }
}

