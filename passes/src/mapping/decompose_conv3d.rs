//! `cim-decompose-conv3d`: an integer `tosa.conv3d` with constant weights as
//! one `tosa.conv2d` per kernel depth, which crossbars take.

use crate::emit::{self, Emitter};
use crate::raw::{RawOp, RawValue};
use crate::{OptionInfo, Pass, PassFailed, PassInfo};
use melior::ir::operation::OperationRefMut;

pub static INFO: PassInfo = PassInfo {
    argument: "cim-decompose-conv3d",
    summary: "Rewrite integer tosa.conv3d with constant weights as exact conv2d sums",
    description: "\
A crossbar layer is a 2-D convolution or a matmul. An integer (i8, i16)
`tosa.conv3d` with constant weights [OC,KD,KH,KW,IC] and a bias, input
[N,ID,IH,IW,IC], pad [d0,d1,t,b,l,r], stride [sd,sh,sw] and dilation
[dd,dh,dw] is, exactly, the sum over kd of 2-D convolutions:
  1. the input is padded along its depth by d0 and d1 with the input zero
     point (`tosa.pad`), which contributes 0 once the zero point is
     subtracted, as the specification's padding does;
  2. for each kd, the OD depth planes kd*dd + d*sd (d < OD) are sliced out
     (a `tosa.slice`, and for sd > 1 a reshape that keeps every sd-th plane)
     and folded into the batch, [N*OD,IH,IW,IC];
  3. a `tosa.conv2d` by the constant kernel plane [OC,KH,KW,IC] at kd, with
     pad [t,b,l,r], stride [sh,sw], dilation [dh,dw], the zero points and
     acc_type of the conv3d, and the bias at kd = 0 (zero for the others);
  4. the KD products are added (`tosa.add`, in the accumulator type) and
     reshaped to [N,OD,OH,OW,OC].
The sums are the specification's; each conv2d is a crossbar layer named
after the conv3d's layer with `_kd<kd>`. Any other conv3d (float, or with
computed weights) stays as it is.

Example: a conv3d of tensor<1x4x8x8x2xi8> by a constant
tensor<3x2x3x3x2xi8> kernel (stride 1, no padding) becomes two slices of
three depth planes, each reshaped to tensor<3x8x8x2xi8>, two conv2d with
tensor<3x3x3x2xi8> weights, a tosa.add and a reshape to
tensor<1x3x6x6x3xi32>.",
    anchor: Some("func.func"),
    options: &[] as &[OptionInfo],
    create: |_, context| {
        Box::new(DecomposeConv3d {
            remarks: context.remarks.clone(),
        })
    },
};

struct DecomposeConv3d {
    remarks: std::sync::Arc<crate::remark::Remarks>,
}

impl Pass for DecomposeConv3d {
    fn run(&self, func: OperationRefMut<'_, '_>) -> Result<(), PassFailed> {
        let ops: Vec<RawOp> = crate::ir::nested_ops_named(func.to_raw(), "tosa.conv3d");
        for (index, op) in ops.into_iter().enumerate() {
            if crate::quant::options::keeps_float(op) {
                continue;
            }
            match decompose(op, index) {
                Ok(value) => {
                    emit::replace_uses(emit::result_of(op, 0), value);
                    emit::erase(op);
                }
                Err(Some(reason)) => self.remarks.at_op(op, format!("stays a host op: {reason}")),
                Err(None) => {}
            }
        }
        Ok(())
    }
}

/// The decomposed value, or why an integer conv3d stays (`None`: a float
/// one, or one outside TOSA's shapes, which validation reports).
fn decompose(op: RawOp, index: usize) -> Result<RawValue, Option<&'static str>> {
    let (input, weight, bias, input_zp, weight_zp) = (
        emit::operand(op, 0),
        emit::operand(op, 1),
        emit::operand(op, 2),
        emit::operand(op, 3),
        emit::operand(op, 4),
    );
    let (in_shape, element) = emit::tensor_info(input).ok_or(None)?;
    let (w_shape, w_element) = emit::tensor_info(weight).ok_or(None)?;
    let (b_shape, b_element) = emit::tensor_info(bias).ok_or(None)?;
    let (out_shape, acc) = emit::tensor_info(emit::result_of(op, 0)).ok_or(None)?;
    if !matches!(element.as_str(), "i8" | "i16") {
        return Err(None);
    }
    let weights = emit::const_ints(weight).ok_or(Some("its weights are not a constant"))?;
    let [n, id, ih, iw, ic] = <[i64; 5]>::try_from(in_shape).map_err(|_| None)?;
    let [oc, kd, kh, kw, _] = <[i64; 5]>::try_from(w_shape).map_err(|_| None)?;
    let [_, od, oh, ow, _] = <[i64; 5]>::try_from(out_shape.clone()).map_err(|_| None)?;
    let array = |name| emit::i64_array_attr(op, name).ok_or(None);
    let pad = <[i64; 6]>::try_from(array("pad")?).map_err(|_| None)?;
    let [sd, sh, sw] = <[i64; 3]>::try_from(array("stride")?).map_err(|_| None)?;
    let [dd, dh, dw] = <[i64; 3]>::try_from(array("dilation")?).map_err(|_| None)?;
    let acc_type = crate::raw::attr(op, "acc_type").ok_or(None)?;
    if [n, id, ih, iw, ic, oc, kd, kh, kw, od, oh, ow]
        .iter()
        .any(|d| *d < 1)
        || pad.iter().any(|p| *p < 0)
        || [sd, sh, sw, dd, dh, dw].iter().any(|s| *s < 1)
    {
        return Err(None);
    }
    let layer = cimc_dialects::cim::layer_name(op)
        .or_else(|| {
            cimc_dialects::handle::OpRef::new(op)
                .and_then(|o| cimc_dialects::handle::location_name(o.location()))
        })
        .unwrap_or_else(|| format!("conv3d_{index}"));
    let e = Emitter::before(op);

    // 1. Depth padding with the input zero point.
    let depth = id + pad[0] + pad[1];
    let padded = if pad[0] + pad[1] > 0 {
        let padding = e.shape(&[0, 0, pad[0], pad[1], 0, 0, 0, 0, 0, 0]);
        e.value(
            "tosa.pad",
            &[input, padding, input_zp],
            e.tensor(&[n, depth, ih, iw, ic], &element),
            &[],
        )
    } else {
        input
    };
    let plane = (kh * kw * ic) as usize;
    let mut sum: Option<RawValue> = None;
    for k in 0..kd {
        // 2. The OD planes kd*dd + d*sd, folded into the batch.
        let span = (od - 1) * sd + 1;
        let start = e.shape(&[0, k * dd, 0, 0, 0]);
        let size = e.shape(&[n, span, ih, iw, ic]);
        let mut planes = e.value(
            "tosa.slice",
            &[padded, start, size],
            e.tensor(&[n, span, ih, iw, ic], &element),
            &[],
        );
        if sd > 1 {
            // Pad to OD*sd planes, group by sd, keep the first of each.
            let padding = e.shape(&[0, 0, 0, od * sd - span, 0, 0, 0, 0, 0, 0]);
            let full = e.value(
                "tosa.pad",
                &[planes, padding, input_zp],
                e.tensor(&[n, od * sd, ih, iw, ic], &element),
                &[],
            );
            let grouped = e.reshape(full, &[n * od, sd, ih * iw * ic], &element);
            let start = e.shape(&[0, 0, 0]);
            let size = e.shape(&[n * od, 1, ih * iw * ic]);
            planes = e.value(
                "tosa.slice",
                &[grouped, start, size],
                e.tensor(&[n * od, 1, ih * iw * ic], &element),
                &[],
            );
        }
        let batch = e.reshape(planes, &[n * od, ih, iw, ic], &element);
        // 3. The conv2d of kernel plane k.
        let kernel: Vec<i64> = (0..oc as usize)
            .flat_map(|o| {
                let from = (o * kd as usize + k as usize) * plane;
                weights[from..from + plane].iter().copied()
            })
            .collect();
        let kernel = e.const_int(&[oc, kh, kw, ic], &w_element, &kernel);
        let bias = if k == 0 {
            bias
        } else {
            e.const_int(
                &b_shape,
                &b_element,
                &vec![0i64; b_shape.iter().product::<i64>() as usize],
            )
        };
        let conv = e.op(
            "tosa.conv2d",
            &[batch, kernel, bias, input_zp, weight_zp],
            &[e.tensor(&[n * od, oh, ow, oc], &acc)],
            &[
                ("acc_type", acc_type),
                ("pad", e.i64_array(&pad[2..])),
                ("stride", e.i64_array(&[sh, sw])),
                ("dilation", e.i64_array(&[dh, dw])),
            ],
        );
        cimc_dialects::cim::set_layer_name(conv, &format!("{layer}_kd{k}"));
        let value = emit::result_of(conv, 0);
        // 4. The sum over the kernel depth.
        sum = Some(match sum {
            None => value,
            Some(total) => e.value(
                "tosa.add",
                &[total, value],
                e.tensor(&[n * od, oh, ow, oc], &acc),
                &[],
            ),
        });
    }
    Ok(e.reshape(sum.ok_or(None)?, &out_shape, &acc))
}
