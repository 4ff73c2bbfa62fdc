func.func @main(%a: tensor<1x4xi8>) -> tensor<1x4xi8> attributes {note = "open} {
  return %a : tensor<1x4xi8>
}
