func.func @main(%a: tensor<1x4xi8>) -> tensor<1x4xi8> {
  return %a : tensor<1x4xi8>
}
{-#
  dialect_resources: {
    builtin: {
      x: "0x0100
