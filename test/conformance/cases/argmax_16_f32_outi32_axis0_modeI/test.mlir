module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<16xf32> {tosa.tensor_name = "input-0"}) -> (tensor<i32> {tosa.tensor_name = "result-0"}) {
    %0 = tosa.argmax %arg0 {axis = 0 : i32, nan_mode = IGNORE} : (tensor<16xf32>) -> tensor<i32>
    return %0 : tensor<i32>
  }
}

