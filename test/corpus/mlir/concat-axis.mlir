func.func @main(%a: tensor<1x4xi8>) -> tensor<1x8xi8> {
  %0 = tosa.concat %a, %a {axis = 2 : i32} : (tensor<1x4xi8>, tensor<1x4xi8>) -> tensor<1x8xi8>
  return %0 : tensor<1x8xi8>
}
