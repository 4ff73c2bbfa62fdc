module attributes {tosa.description = "TOSA FBS Converted", tosa.fbs_version = "1.0.2d"} {
  func.func @main(%arg0: tensor<48xi8> {tosa.tensor_name = "input-0"}) -> (tensor<144xi8> {tosa.tensor_name = "result-0"}) {
    %0 = tosa.concat %arg0, %arg0, %arg0 {axis = 0 : i32} : (tensor<48xi8>, tensor<48xi8>, tensor<48xi8>) -> tensor<144xi8>
    return %0 : tensor<144xi8>
  }
}

