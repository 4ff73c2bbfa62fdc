func.func @main(%a: tensor<1x4xi8>) -> tensor<1x0xi8> {
  %m = tosa.const_shape {values = dense<[1, 0]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %0 = tosa.tile %a, %m : (tensor<1x4xi8>, !tosa.shape<2>) -> tensor<1x0xi8>
  return %0 : tensor<1x0xi8>
}
