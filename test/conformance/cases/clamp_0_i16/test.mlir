module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main() -> (tensor<i16> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<-13305> : tensor<i16>}> : () -> tensor<i16>
    %1 = tosa.clamp %0 {max_val = 23107 : i16, min_val = -22409 : i16} : (tensor<i16>) -> tensor<i16>
    return %1 : tensor<i16>
  }
}

