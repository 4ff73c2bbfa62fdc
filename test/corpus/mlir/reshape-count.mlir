func.func @main(%a: tensor<1x4xi8>) -> tensor<1x5xi8> {
  %s = tosa.const_shape {values = dense<[1, 5]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %0 = tosa.reshape %a, %s : (tensor<1x4xi8>, !tosa.shape<2>) -> tensor<1x5xi8>
  return %0 : tensor<1x5xi8>
}
