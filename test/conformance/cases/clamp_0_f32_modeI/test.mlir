module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main() -> (tensor<f32> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<-228.952423> : tensor<f32>}> : () -> tensor<f32>
    %1 = tosa.clamp %0 {max_val = 1.91344678E+38 : f32, min_val = -3.6362953E+37 : f32, nan_mode = IGNORE} : (tensor<f32>) -> tensor<f32>
    return %1 : tensor<f32>
  }
}

