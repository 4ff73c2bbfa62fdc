module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main() -> (tensor<i32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<-304.925934> : tensor<f32>}> : () -> tensor<f32>
    %1 = tosa.cast %0 : (tensor<f32>) -> tensor<i32>
    return %1 : tensor<i32>
  }
}

