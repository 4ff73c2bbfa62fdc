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

  // Host op: unfold convolution windows into the rows of a matrix.
  irdl.operation @im2col {
    %input = irdl.base "!builtin.tensor"
    %output = irdl.base "!builtin.tensor"
    %kernel = irdl.base "#builtin.dense_array"
    %stride = irdl.base "#builtin.dense_array"
    %dilation = irdl.base "#builtin.dense_array"
    %pad = irdl.base "#builtin.dense_array"
    %pad_value = irdl.base "#builtin.integer"
    %channel_major = irdl.base "#builtin.integer"
    irdl.operands(input: %input)
    irdl.attributes {
      "kernel" = %kernel,
      "stride" = %stride,
      "dilation" = %dilation,
      "pad" = %pad,
      "pad_value" = %pad_value,
      "channel_major" = %channel_major
    }
    irdl.results(output: %output)
  }

  // A matrix product to be placed on crossbars: input rows against a
  // constant weight (or cell level) matrix, exact in i32. Before tiling.
  irdl.operation @matmul {
    %input = irdl.base "!builtin.tensor"
    %weights = irdl.base "!builtin.tensor"
    %output = irdl.base "!builtin.tensor"
    %input_bits = irdl.base "#builtin.integer"
    %weight_bits = irdl.base "#builtin.integer"
    %cell_bits = irdl.base "#builtin.integer"
    %layer = irdl.base "#builtin.string"
    %blocks = irdl.base "#builtin.integer"
    irdl.operands(input: %input, weights: %weights)
    irdl.attributes {
      "input_bits" = %input_bits,
      "weight_bits" = %weight_bits,
      "cell_bits" = %cell_bits,
      "layer" = %layer,
      "blocks" = %blocks
    }
    irdl.results(output: %output)
  }

  // Program a weight tile (cell conductance levels) into one crossbar array.
  // Placement (cim.core, cim.macro, cim.array, cim.phase) is added by
  // cim-place as discardable attributes.
  irdl.operation @program {
    %levels = irdl.base "!builtin.tensor"
    %cell_bits = irdl.base "#builtin.integer"
    %weight_bits = irdl.base "#builtin.integer"
    %layer = irdl.base "#builtin.string"
    %tile = irdl.parametric @cim::@tile<>
    irdl.operands(levels: %levels)
    irdl.attributes {
      "cell_bits" = %cell_bits,
      "weight_bits" = %weight_bits,
      "layer" = %layer
    }
    irdl.results(tile: %tile)
  }

  // Bit-serial matrix-vector products of input vectors against a tile,
  // column sums read out through an ADC. The schedule (cim.stage,
  // cim.steps) is added by cim-schedule as discardable attributes.
  irdl.operation @mvm {
    %tile = irdl.parametric @cim::@tile<>
    %input = irdl.base "!builtin.tensor"
    %output = irdl.base "!builtin.tensor"
    %input_bits = irdl.base "#builtin.integer"
    %dac_bits = irdl.base "#builtin.integer"
    %adc_bits = irdl.base "#builtin.integer"
    %max_active_rows = irdl.base "#builtin.integer"
    %layer = irdl.base "#builtin.string"
    irdl.operands(tile: %tile, input: %input)
    irdl.attributes {
      "input_bits" = %input_bits,
      "dac_bits" = %dac_bits,
      "adc_bits" = %adc_bits,
      "max_active_rows" = %max_active_rows,
      "layer" = %layer
    }
    irdl.results(output: %output)
  }

  // Recombine bit-sliced partial sums: column group j of `slices` columns
  // becomes output column j, sum over s of partials[:, j*slices+s] << s*cell_bits;
  // with offset != 0 each block of outputs ends in a reference column, taken
  // off offset times.
  irdl.operation @shift_add {
    %partials = irdl.base "!builtin.tensor"
    %output = irdl.base "!builtin.tensor"
    %slices = irdl.base "#builtin.integer"
    %cell_bits = irdl.base "#builtin.integer"
    %differential = irdl.base "#builtin.integer"
    %offset = irdl.base "#builtin.integer"
    irdl.operands(partials: %partials)
    irdl.attributes {
      "slices" = %slices,
      "cell_bits" = %cell_bits,
      "differential" = %differential,
      "offset" = %offset
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
