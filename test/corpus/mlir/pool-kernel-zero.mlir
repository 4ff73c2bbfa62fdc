func.func @main(%a: tensor<1x4x1x1xi8>) -> tensor<1x4x1x1xi8> {
  %0 = tosa.max_pool2d %a {kernel = array<i64: 0, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x1x1xi8>) -> tensor<1x4x1x1xi8>
  return %0 : tensor<1x4x1x1xi8>
}
