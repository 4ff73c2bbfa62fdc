// The `cim` dialect: weights on compute-in-memory crossbar arrays.
//
// Exact integer semantics of every op are in README.md beside this file.
// Load it into mlir-opt with `mlir-opt --irdl-file=dialects/cim/cim.irdl.mlir`.
// IRDL in MLIR 22 gives ops no traits and no custom syntax: cim ops print in
// generic form, and cimc's own passes (cim-dce, cim-cse) do what traits would.
//
// Every IRDL constraint value binds one type or attribute: a value used twice
// forces both uses to be equal, so each operand, result and attribute below
// has its own constraint.
irdl.dialect @cim {
  // A handle to a weight tile programmed onto one crossbar array.
  irdl.type @tile

  // Program a weight tile (cell conductance levels) into one crossbar array.
  irdl.operation @program {
    %levels = irdl.base "!builtin.tensor"
    %core = irdl.base "#builtin.integer"
    %macro = irdl.base "#builtin.integer"
    %array = irdl.base "#builtin.integer"
    %cell_bits = irdl.base "#builtin.integer"
    %tile = irdl.parametric @cim::@tile<>
    irdl.operands(levels: %levels)
    irdl.attributes {
      "core" = %core,
      "macro" = %macro,
      "array" = %array,
      "cell_bits" = %cell_bits
    }
    irdl.results(tile: %tile)
  }

  // Bit-serial matrix-vector products of input vectors against a tile,
  // column sums read out through an ADC.
  irdl.operation @mvm {
    %tile = irdl.parametric @cim::@tile<>
    %input = irdl.base "!builtin.tensor"
    %output = irdl.base "!builtin.tensor"
    %input_bits = irdl.base "#builtin.integer"
    %dac_bits = irdl.base "#builtin.integer"
    %adc_bits = irdl.base "#builtin.integer"
    irdl.operands(tile: %tile, input: %input)
    irdl.attributes {
      "input_bits" = %input_bits,
      "dac_bits" = %dac_bits,
      "adc_bits" = %adc_bits
    }
    irdl.results(output: %output)
  }

  // Recombine bit-sliced partial sums: the sum of partials[i] << shifts[i].
  irdl.operation @shift_add {
    %partial = irdl.base "!builtin.tensor"
    %output = irdl.base "!builtin.tensor"
    %shifts = irdl.base "#builtin.dense_array"
    irdl.operands(partials: variadic %partial)
    irdl.attributes {
      "shifts" = %shifts
    }
    irdl.results(output: %output)
  }

  // Digital reduction of row-tile partial sums: their elementwise sum.
  irdl.operation @accumulate {
    %partial = irdl.base "!builtin.tensor"
    %output = irdl.base "!builtin.tensor"
    irdl.operands(partials: variadic %partial)
    irdl.results(output: %output)
  }
}
