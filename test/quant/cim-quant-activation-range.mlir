// RUN: %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-activation-range))' --verify-diagnostics | FileCheck %s
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-activation-range{method=percentile}))' 2>/dev/null | FileCheck %s --check-prefix=PCT
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-activation-range{method=percentile percentile=99.9}))' 2>/dev/null | FileCheck %s --check-prefix=PCT9
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-activation-range{method=mse}))' 2>/dev/null | FileCheck %s --check-prefix=MSE
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-activation-range{method=mse activation-bits=4}))' 2>/dev/null | FileCheck %s --check-prefix=MSE4
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-activation-range{activation-symmetric}))' 2>/dev/null | FileCheck %s --check-prefix=SYM
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-activation-range{method=mse activation-bits=16}))' 2>/dev/null | FileCheck %s --check-prefix=A16

// Range setting composes with the conversion: the ranges it sets are the
// ones cim-quant-convert reads.
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-activation-range{method=mse},cim-quant-convert))' 2>/dev/null | FileCheck %s --check-prefix=CONVERT

// Bad options: a malformed value is a pipeline error, one out of range an
// error at each function.
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-activation-range{method=median}))' 2>&1 >/dev/null | FileCheck %s --check-prefix=METHOD
// METHOD: error: option 'method' of pass 'cim-quant-activation-range' expects one of min-max, percentile, mse, got 'median'
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-activation-range{percentile=high}))' 2>&1 >/dev/null | FileCheck %s --check-prefix=PFLOAT
// PFLOAT: error: option 'percentile' of pass 'cim-quant-activation-range' expects a finite number, got 'high'
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-activation-range{method=percentile percentile=120}))' 2>&1 >/dev/null | FileCheck %s --check-prefix=PRANGE
// PRANGE: error: 'func.func' op percentile = 120 is out of range: it must lie in [50, 100]
// RUN: %expect-exit 1 %cimc %s --split-input-file --pass-pipeline='builtin.module(func.func(cim-quant-activation-range{activation-bits=3}))' 2>&1 >/dev/null | FileCheck %s --check-prefix=BITS
// BITS: error: 'func.func' op activation-bits = 3 is out of range: cimc quantizes activations to 4..=8 or 16 bits

// A ReLU output with one outlier: 10000 values, 5000 in [0, 1), 3000 in
// [1, 2), ..., 4 in [9, 10) and one at 15.5. Min-max keeps the outlier;
// the 99.99th percentile is the end of bin 9 (99.9th: 2/3 into bin 8); the
// MSE optimum clips a little at 8 bits and to about half at 4. Symmetric
// grids (and 16-bit ones, always symmetric) reach as far below 0. The
// argument (four values: -1, 0, 1, 2; the histogram's trailing empty
// bins left out) gets its range the same way. The observations are
// removed.
// CHECK-LABEL: func.func @methods(
// CHECK-SAME: attributes {cim.quant.arg_ranges = [array<f64: -1.0000000195577741, 2.0000000391155481>]}
// CHECK-NOT: cim.quant.arg_observed
// CHECK-NEXT: tosa.clamp %{{.*}} {cim.quant.range = array<f64: 0.000000e+00, 15.500000026077032>, max_val
// CHECK-NOT: cim.quant.observed
// PCT-LABEL: func.func @methods(
// PCT-SAME: cim.quant.arg_ranges = [array<f64: -0.99996669217944145, 1.9999333843588829>]
// PCT-NEXT: cim.quant.range = array<f64: 0.000000e+00, 10.000000353902578>
// PCT9-LABEL: func.func @methods(
// PCT9-SAME: cim.quant.arg_ranges = [array<f64: -0.99966666661202907, 1.9993333332240582>]
// PCT9-NEXT: cim.quant.range = array<f64: 0.000000e+00, 8.6666671000421047>
// MSE-LABEL: func.func @methods(
// MSE-SAME: cim.quant.arg_ranges = [array<f64: -0.91666668653488159, 2.0052083767950535>]
// MSE-NEXT: cim.quant.range = array<f64: 0.000000e+00, 15.257812421768904>
// MSE4-LABEL: func.func @methods(
// MSE4-SAME: cim.quant.arg_ranges = [array<f64: -0.76041668653488159, 2.0911458879709244>]
// MSE4-NEXT: cim.quant.range = array<f64: 0.000000e+00, 7.6289060711860657>
// SYM-LABEL: func.func @methods(
// SYM-SAME: cim.quant.arg_ranges = [array<f64: -1.9999999925494194, 1.9999999925494194>]
// SYM-NEXT: cim.quant.range = array<f64: -15.500000178813934, 15.500000178813934>
// A16-LABEL: func.func @methods(
// A16-SAME: cim.quant.arg_ranges = [array<f64: -1.9999999981373549, 1.9999999981373549>]
// A16-NEXT: cim.quant.range = array<f64: -15.4999999855645, 15.4999999855645>
func.func @methods(%x: tensor<1x4xf32>) -> tensor<1x4xf32> attributes {cim.quant.arg_observed = [{count = 4 : i64, min = -1.0 : f32, max = 2.0 : f32, origin = -1.0 : f64, width = 0.25 : f64, bins = array<i64: 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1>, num_bins = 16 : i64}]} {
  %y = tosa.clamp %x {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, cim.quant.observed = {count = 10000 : i64, min = 0.0 : f32, max = 15.5 : f32, origin = 0.0 : f64, width = 1.0 : f64, bins = array<i64: 5000, 3000, 1000, 500, 300, 100, 50, 30, 15, 4, 0, 0, 0, 0, 0, 1>}} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// Per-op overrides: the same observation on 8 bits (the option), on 4
// bits (`cim.quant.activation_bits`, as a --config layer entry sets it) and
// symmetric (`cim.quant.activation_symmetric`); the function's own
// override applies to its arguments. An op without an observation keeps
// its attributes.
// CHECK-LABEL: func.func @overrides(
// CHECK-SAME: attributes {cim.quant.activation_symmetric = true, cim.quant.arg_ranges = [array<f64: -15.500000178813934, 15.500000178813934>]}
// CHECK-NEXT: tosa.clamp %{{.*}} {cim.quant.range = array<f64: 0.000000e+00, 15.500000026077032>, max_val
// CHECK-NEXT: tosa.clamp %{{.*}} {cim.quant.activation_bits = 4 : i64, cim.quant.range = array<f64: 0.000000e+00, 15.499999523162842>, max_val
// CHECK-NEXT: tosa.clamp %{{.*}} {cim.quant.activation_symmetric = true, cim.quant.range = array<f64: -15.500000178813934, 15.500000178813934>, max_val
// CHECK-NEXT: tosa.const_shape
// CHECK-NEXT: tosa.reshape %{{.*}}, %{{.*}} : (tensor<1x4xf32>, !tosa.shape<2>)
// MSE-LABEL: func.func @overrides(
// MSE-SAME: cim.quant.arg_ranges = [array<f64: -14.743164069950581, 14.743164069950581>]
// MSE-NEXT: cim.quant.range = array<f64: 0.000000e+00, 15.257812421768904>
// MSE-NEXT: cim.quant.activation_bits = 4 : i64, cim.quant.range = array<f64: 0.000000e+00, 7.6289060711860657>
// MSE-NEXT: cim.quant.activation_symmetric = true, cim.quant.range = array<f64: -14.743164069950581, 14.743164069950581>
func.func @overrides(%x: tensor<1x4xf32>) -> tensor<2x2xf32> attributes {cim.quant.activation_symmetric = true, cim.quant.arg_observed = [{count = 10000 : i64, min = 0.0 : f32, max = 15.5 : f32, origin = 0.0 : f64, width = 1.0 : f64, bins = array<i64: 5000, 3000, 1000, 500, 300, 100, 50, 30, 15, 4, 0, 0, 0, 0, 0, 1>}]} {
  %a = tosa.clamp %x {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, cim.quant.observed = {count = 10000 : i64, min = 0.0 : f32, max = 15.5 : f32, origin = 0.0 : f64, width = 1.0 : f64, bins = array<i64: 5000, 3000, 1000, 500, 300, 100, 50, 30, 15, 4, 0, 0, 0, 0, 0, 1>}} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %b = tosa.clamp %a {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, cim.quant.activation_bits = 4 : i64, cim.quant.observed = {count = 10000 : i64, min = 0.0 : f32, max = 15.5 : f32, origin = 0.0 : f64, width = 1.0 : f64, bins = array<i64: 5000, 3000, 1000, 500, 300, 100, 50, 30, 15, 4, 0, 0, 0, 0, 0, 1>}} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %c = tosa.clamp %b {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, cim.quant.activation_symmetric = true, cim.quant.observed = {count = 10000 : i64, min = 0.0 : f32, max = 15.5 : f32, origin = 0.0 : f64, width = 1.0 : f64, bins = array<i64: 5000, 3000, 1000, 500, 300, 100, 50, 30, 15, 4, 0, 0, 0, 0, 0, 1>}} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %s = tosa.const_shape {values = dense<[2, 2]> : tensor<2xindex>} : () -> !tosa.shape<2>
  %r = tosa.reshape %c, %s : (tensor<1x4xf32>, !tosa.shape<2>) -> tensor<2x2xf32>
  return %r : tensor<2x2xf32>
}

// -----

// A clamp right after an op that sets a new grid (here tosa.add) is on that
// op's output grid: its range takes the op's overrides (4 bits on %a), with
// its own over them (8 bits on %d); a clamp after one that keeps its grid
// (%c after %b) takes its own.
// CHECK-LABEL: func.func @fused_clamp(
// MSE-LABEL: func.func @fused_clamp(
// MSE: tosa.add %{{.*}} {cim.quant.activation_bits = 4 : i64}
// MSE-NEXT: tosa.clamp %{{.*}} {cim.quant.range = array<f64: 0.000000e+00, 7.6289060711860657>, max_val
// MSE-NEXT: tosa.clamp %{{.*}} {cim.quant.range = array<f64: 0.000000e+00, 15.257812421768904>, max_val
// MSE-NEXT: tosa.add
// MSE-NEXT: tosa.clamp %{{.*}} {cim.quant.activation_bits = 8 : i64, cim.quant.range = array<f64: 0.000000e+00, 15.257812421768904>, max_val
func.func @fused_clamp(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %a = tosa.add %x, %x {cim.quant.activation_bits = 4 : i64} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %b = tosa.clamp %a {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, cim.quant.observed = {count = 10000 : i64, min = 0.0 : f32, max = 15.5 : f32, origin = 0.0 : f64, width = 1.0 : f64, bins = array<i64: 5000, 3000, 1000, 500, 300, 100, 50, 30, 15, 4, 0, 0, 0, 0, 0, 1>}} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %c = tosa.clamp %b {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, cim.quant.observed = {count = 10000 : i64, min = 0.0 : f32, max = 15.5 : f32, origin = 0.0 : f64, width = 1.0 : f64, bins = array<i64: 5000, 3000, 1000, 500, 300, 100, 50, 30, 15, 4, 0, 0, 0, 0, 0, 1>}} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %e = tosa.add %c, %c {cim.quant.activation_bits = 4 : i64} : (tensor<1x4xf32>, tensor<1x4xf32>) -> tensor<1x4xf32>
  %d = tosa.clamp %e {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, cim.quant.activation_bits = 8 : i64, cim.quant.observed = {count = 10000 : i64, min = 0.0 : f32, max = 15.5 : f32, origin = 0.0 : f64, width = 1.0 : f64, bins = array<i64: 5000, 3000, 1000, 500, 300, 100, 50, 30, 15, 4, 0, 0, 0, 0, 0, 1>}} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %d : tensor<1x4xf32>
}

// -----

// Every value seen the same (bin width 0): the range is widened to contain
// 0. Bins may start later than bin 0 (`first_bin`).
// CHECK-LABEL: func.func @point_and_offset(
// CHECK-SAME: cim.quant.arg_ranges = [array<f64: -2.9990196768194437, 2.7509804554283619>]
// CHECK-NEXT: cim.quant.range = array<f64: 0.000000e+00, 2.5000000884756446>
// MSE-LABEL: func.func @point_and_offset(
// MSE-SAME: cim.quant.arg_ranges = [array<f64: -2.8596813231706619, 2.7496935799717903>]
// MSE-NEXT: cim.quant.range = array<f64: 0.000000e+00, 2.5000000884756446>
func.func @point_and_offset(%x: tensor<4xf32>) -> tensor<4xf32> attributes {cim.quant.arg_observed = [{count = 3 : i64, min = -3.0 : f32, max = 2.75 : f32, origin = -4.0 : f64, width = 0.5 : f64, first_bin = 2 : i64, bins = array<i64: 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1>, num_bins = 16 : i64}]} {
  %y = tosa.clamp %x {min_val = 0.0 : f32, max_val = 6.0 : f32, cim.quant.observed = {count = 8 : i64, min = 2.5 : f32, max = 2.5 : f32, origin = 2.5 : f64, width = 0.0 : f64, bins = array<i64: 8>, num_bins = 16 : i64}} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// A ReLU observed at 0, 0.5, 1 and 2 (the last alone at the top of the
// histogram): the MSE range [0, 1.9375] clips it a little, and the
// conversion puts the argument on that grid, s = 1.9375 / 255.
// CONVERT-LABEL: func.func @compose(
// CONVERT-SAME: %{{.*}}: tensor<1x4xi8>) -> tensor<1x4xi8>
// CONVERT-SAME: cim.quant.arg_grids = [array<f64: 0.0075980392284691334, -1.280000e+02>]
// CONVERT-NEXT: tosa.clamp %{{.*}} {max_val = 127 : i8, min_val = -128 : i8} : (tensor<1x4xi8>) -> tensor<1x4xi8>
func.func @compose(%x: tensor<1x4xf32>) -> tensor<1x4xf32> attributes {cim.quant.arg_observed = [{count = 4 : i64, min = 0.0 : f32, max = 2.0 : f32, origin = 0.0 : f64, width = 0.125 : f64, bins = array<i64: 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1>}]} {
  %y = tosa.clamp %x {min_val = 0.0 : f32, max_val = 3.40282347E+38 : f32, cim.quant.observed = {count = 4 : i64, min = 0.0 : f32, max = 2.0 : f32, origin = 0.0 : f64, width = 0.125 : f64, bins = array<i64: 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1>}} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %y : tensor<1x4xf32>
}

// -----

// Malformed observations: errors at the op (or the function) naming the
// attribute; nothing is changed.
func.func @not_a_dictionary(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'tosa.clamp' op 'cim.quant.observed' must be a dictionary {count, min, max, origin, width, bins[, first_bin, num_bins]}}}
  %y = tosa.clamp %x {min_val = 0.0 : f32, max_val = 6.0 : f32, cim.quant.observed = array<f64: 0.0, 6.0>} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @bad_sum(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'cim.quant.observed' is not the state of a calibration observer: observer bins: shape mismatch: expected counts summing to the count, 10, got a sum of 9}}
  %y = tosa.clamp %x {min_val = 0.0 : f32, max_val = 6.0 : f32, cim.quant.observed = {count = 10 : i64, min = 0.0 : f32, max = 6.0 : f32, origin = 0.0 : f64, width = 0.5 : f64, bins = array<i64: 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4>, num_bins = 16 : i64}} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @too_few_bins(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'cim.quant.observed' is not the state of a calibration observer: observer bins: invalid value 4: need at least 16}}
  %y = tosa.clamp %x {min_val = 0.0 : f32, max_val = 6.0 : f32, cim.quant.observed = {count = 2 : i64, min = 0.0 : f32, max = 6.0 : f32, origin = 0.0 : f64, width = 2.0 : f64, bins = array<i64: 1, 0, 0, 1>}} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @min_above_max(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'cim.quant.observed' is not the state of a calibration observer: observer min/max: invalid value [6, 0]: min exceeds max}}
  %y = tosa.clamp %x {min_val = 0.0 : f32, max_val = 6.0 : f32, cim.quant.observed = {count = 2 : i64, min = 6.0 : f32, max = 0.0 : f32, origin = 0.0 : f64, width = 0.5 : f64, bins = array<i64: 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1>, num_bins = 16 : i64}} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @missing_width(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'cim.quant.observed' lacks 'width'}}
  %y = tosa.clamp %x {min_val = 0.0 : f32, max_val = 6.0 : f32, cim.quant.observed = {count = 2 : i64, min = 0.0 : f32, max = 6.0 : f32, origin = 0.0 : f64, bins = array<i64: 1, 1>, num_bins = 16 : i64}} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @wrong_types(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'cim.quant.observed': 'bins' must be an `array<i64: ...>`}}
  %y = tosa.clamp %x {min_val = 0.0 : f32, max_val = 6.0 : f32, cim.quant.observed = {count = 2 : i64, min = 0.0 : f32, max = 6.0 : f32, origin = 0.0 : f64, width = 0.5 : f64, bins = array<f64: 1.0, 1.0>, num_bins = 16 : i64}} : (tensor<4xf32>) -> tensor<4xf32>
  // expected-error@+1 {{'cim.quant.observed': 'count' must be an integer (`count = N : i64`)}}
  %z = tosa.clamp %y {min_val = 0.0 : f32, max_val = 6.0 : f32, cim.quant.observed = {count = 2.0 : f64, min = 0.0 : f32, max = 6.0 : f32, origin = 0.0 : f64, width = 0.5 : f64, bins = array<i64: 1, 1>, num_bins = 16 : i64}} : (tensor<4xf32>) -> tensor<4xf32>
  // expected-error@+1 {{'cim.quant.observed' has an unknown entry 'mean'}}
  %w = tosa.clamp %z {min_val = 0.0 : f32, max_val = 6.0 : f32, cim.quant.observed = {count = 2 : i64, mean = 3.0 : f64, min = 0.0 : f32, max = 6.0 : f32, origin = 0.0 : f64, width = 0.5 : f64, bins = array<i64: 1, 1>, num_bins = 16 : i64}} : (tensor<4xf32>) -> tensor<4xf32>
  return %w : tensor<4xf32>
}

// -----

func.func @bins_outside(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'cim.quant.observed': 'first_bin' = 15 and 2 'bins' do not fit in 'num_bins' = 16}}
  %y = tosa.clamp %x {min_val = 0.0 : f32, max_val = 6.0 : f32, cim.quant.observed = {count = 2 : i64, min = 0.0 : f32, max = 6.0 : f32, origin = 0.0 : f64, width = 0.5 : f64, first_bin = 15 : i64, bins = array<i64: 1, 1>, num_bins = 16 : i64}} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @nothing_observed(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'cim.quant.observed': activation observer: too few samples: need at least 1, got 0}}
  %y = tosa.clamp %x {min_val = 0.0 : f32, max_val = 6.0 : f32, cim.quant.observed = {count = 0 : i64, origin = 0.0 : f64, width = 0.0 : f64, bins = array<i64>, num_bins = 16 : i64}} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

func.func @bad_override(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'cim.quant.activation_bits' = 3 is out of range: cimc quantizes activations to 4..=8 or 16 bits}}
  %y = tosa.clamp %x {min_val = 0.0 : f32, max_val = 6.0 : f32, cim.quant.activation_bits = 3 : i64, cim.quant.observed = {count = 2 : i64, min = 0.0 : f32, max = 6.0 : f32, origin = 0.0 : f64, width = 0.5 : f64, bins = array<i64: 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1>, num_bins = 16 : i64}} : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// expected-error@+1 {{'func.func' op 'cim.quant.arg_observed' must be an array of one observation per argument (2)}}
func.func @arguments(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> attributes {cim.quant.arg_observed = [{count = 1 : i64, min = 1.0 : f32, max = 1.0 : f32, origin = 1.0 : f64, width = 0.0 : f64, bins = array<i64: 1>, num_bins = 16 : i64}]} {
  %y = tosa.add %a, %b : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// -----

// expected-error@+1 {{'func.func' op 'cim.quant.arg_observed' entry 0 is not the state of a calibration observer: observer bin width: invalid value 0: a zero width means every value seen is the same, all in bin 0; got [1, 2] with 1 of 2 in bin 0}}
func.func @argument_entry(%a: tensor<4xf32>) -> tensor<4xf32> attributes {cim.quant.arg_observed = [{count = 2 : i64, min = 1.0 : f32, max = 2.0 : f32, origin = 1.0 : f64, width = 0.0 : f64, bins = array<i64: 1, 1>, num_bins = 16 : i64}]} {
  return %a : tensor<4xf32>
}
