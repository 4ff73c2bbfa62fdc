func.func @main(%a: tensor<1x4xi8>) -> tensor<1xi32> {
  %0 = tosa.argmax %a {axis = 3 : i32} : (tensor<1x4xi8>) -> tensor<1xi32>
  return %0 : tensor<1xi32>
}
