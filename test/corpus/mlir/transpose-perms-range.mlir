func.func @main(%a: tensor<1x4xi8>) -> tensor<1x4xi8> {
  %0 = tosa.transpose %a {perms = array<i32: 0, 2>} : (tensor<1x4xi8>) -> tensor<1x4xi8>
  return %0 : tensor<1x4xi8>
}
