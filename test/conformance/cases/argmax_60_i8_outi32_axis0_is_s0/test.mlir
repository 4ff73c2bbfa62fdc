module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main() -> (tensor<i32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<127> : tensor<60xi8>}> : () -> tensor<60xi8>
    %1 = tosa.argmax %0 {axis = 0 : i32} : (tensor<60xi8>) -> tensor<i32>
    return %1 : tensor<i32>
  }
}

