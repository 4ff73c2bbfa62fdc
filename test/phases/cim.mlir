// The cim phase of a bundled model: every crossbar op placed and scheduled,
// the report read from the IR, and the IR readable by mlir-opt.
// RUN: %cimc %models/cnn.int8.mlir --emit=cim --report -o %t.mlir 2> %t.report
// RUN: FileCheck %s < %t.mlir
// RUN: FileCheck %s --check-prefix=REPORT < %t.report
// RUN: %mlir-opt --irdl-file=%cim-irdl %t.mlir -o /dev/null
// RUN: %cimc %t.mlir --pass-pipeline='builtin.module(cim-dce)' -o /dev/null
// RUN: %cimc %models/cnn.int8.mlir --emit=cim --report-json - -o /dev/null | FileCheck %s --check-prefix=JSON
// RUN: %expect-exit 1 %cimc %models/cnn.int8.mlir --emit=tosa --report -o /dev/null 2>&1 | FileCheck %s --check-prefix=NOTCIM
// RUN: %expect-exit 1 %cimc %models/cnn.f32.mlir --emit=cim -o /dev/null 2>&1 | FileCheck %s --check-prefix=FLOAT

// CHECK: func.func @main{{.*}}cim.schedule = "layer-sequential"
// CHECK: "cim.im2col"
// CHECK: "cim.program"{{.*}}cim.array = 0 : i64
// CHECK: "cim.mvm"{{.*}}cim.stage = 0 : i64, cim.steps = 512 : i64
// CHECK: "cim.shift_add"
// CHECK-NOT: tosa.conv2d

// REPORT: cim mapping report: target 'isaac'
// REPORT: conv2d_0 8 8 9 33 4 1 64 512 512
// REPORT: arrays used X = 3
// REPORT: spatial utilization = 15.46%
// REPORT: work W = 648 crossbar steps per inference
// REPORT: no-replication bottleneck = 512 steps (conv2d_0)

// JSON: "work": 648

// NOTCIM: error: the mapping report describes scheduled crossbar work: compile to the cim phase

// FLOAT: cnn.f32.mlir:{{[0-9]+}}:{{[0-9]+}}: error: 'tosa.conv2d' op computes on f32: crossbar arrays compute on integers; quantize first
