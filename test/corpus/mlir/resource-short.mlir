func.func @main(%a: tensor<1x4xi8>) -> tensor<1x4xi8> {
  %w = "tosa.const"() <{values = dense_resource<few> : tensor<8xi8>}> : () -> tensor<8xi8>
  return %a : tensor<1x4xi8>
}
{-#
  dialect_resources: {
    builtin: {
      few: "0x010000000102"
    }
  }
#-}
