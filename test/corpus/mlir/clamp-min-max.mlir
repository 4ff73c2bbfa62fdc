func.func @main(%a: tensor<1x4xi8>) -> tensor<1x4xi8> {
  %0 = tosa.clamp %a {min_val = 5 : i8, max_val = 1 : i8} : (tensor<1x4xi8>) -> tensor<1x4xi8>
  return %0 : tensor<1x4xi8>
}
