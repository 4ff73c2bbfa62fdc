module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main() -> (tensor<5xi8> {tosa.tensor_name = "result-0"}) {
    %0 = "tosa.const"() <{values = dense<[-96, -48, -87, 127, -21]> : tensor<5xi8>}> : () -> tensor<5xi8>
    %1 = tosa.bitwise_xor %0, %0 : (tensor<5xi8>, tensor<5xi8>) -> tensor<5xi8>
    return %1 : tensor<5xi8>
  }
}

