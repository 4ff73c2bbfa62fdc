// A cim.mvm whose tile is a function argument, not a cim.program.
func.func @tile_argument(%t: !cim.tile, %x: tensor<4x2xi8>) -> tensor<4x2xi32> {
  %p = "cim.mvm"(%t, %x) {input_bits = 8 : i64, dac_bits = 1 : i64, adc_bits = 8 : i64, max_active_rows = 128 : i64, layer = "l", cim.stage = 0 : i64, cim.steps = 8 : i64} : (!cim.tile, tensor<4x2xi8>) -> tensor<4x2xi32>
  return %p : tensor<4x2xi32>
}
