//! The experiment of the quantization report: reads the evaluation data,
//! runs the float model, fake-quantized variants of it and the converted
//! integer model through reference execution, and measures each against the
//! float model.

use super::findings::{Error, Findings, LayerRow, Outcome, Top1};
use super::observe::{entry_func, marked, plan_taps, read_source, Observed};
use crate::cli::QuantizeArgs;
use crate::diagnostics::Collector;
use crate::quantize::{QuantizeError, Settings};
use crate::reference::{self, DType, Tensor};
use cimc_passes::quant::fake_quant::{self, FakeQuant, Layer};
use cimc_passes::quant::transplant::{self, Transplant};
use cimc_passes::Pass;
use melior::ir::operation::OperationRefMut;
use melior::ir::Module;
use melior::Context;
use std::path::Path;
use std::time::Instant;

/// The JIT's optimization level for every model the report runs.
const OPT_LEVEL: u8 = 2;

/// What `cimc quantize --report` computes, filled in two steps.
pub struct Job {
    path: String,
    data: Vec<(String, Tensor)>,
    samples: usize,
    labels: Option<(String, Vec<f64>)>,
    settings: Settings,
    entry: Option<String>,
    started: Instant,
    /// The float model's outputs per sample (all results, flattened).
    float_outputs: Vec<Vec<Vec<f64>>>,
    /// The fully fake-quantized model's, and its top-1 class per sample.
    quant_outputs: Vec<Vec<Vec<f64>>>,
    quant_classes: Vec<usize>,
    /// The integer model against the fake-quantized one: output error and
    /// how many samples get the same top-1 class.
    agreement: Option<(Error, usize)>,
    /// What a weight pass gave each weighted layer, by layer name.
    transplants: Vec<(String, Transplant)>,
    float_top1: Option<Top1>,
    ablation: Vec<(&'static str, Outcome)>,
    rows: Vec<LayerRow>,
    integer: Option<Outcome>,
    evaluated: bool,
}

fn report_error(message: impl Into<String>) -> QuantizeError {
    QuantizeError::Report(message.into())
}

fn read(path: &str) -> Result<Tensor, QuantizeError> {
    Tensor::read_npy(Path::new(path)).map_err(|e| report_error(e.to_string()))
}

impl Job {
    /// Reads the evaluation data (`--report-input`, else the calibration
    /// data) and the labels, and checks they agree, before any work.
    pub fn new(args: &QuantizeArgs, settings: &Settings) -> Result<Option<Job>, QuantizeError> {
        let Some(path) = &args.report else {
            return Ok(None);
        };
        if args.batch != 1 {
            // Its per-sample errors and top-1 take one sample per call.
            return Err(report_error(format!(
                "--report evaluates the model one sample at a time: it needs --batch 1 (the default), not --batch {}",
                args.batch
            )));
        }
        let paths = if args.report_inputs.is_empty() {
            &args.calibration
        } else {
            &args.report_inputs
        };
        let mut data = Vec::new();
        let mut samples: Option<(usize, &str)> = None;
        for p in paths {
            let tensor = read(p)?;
            let n = tensor.shape().first().copied().unwrap_or(0);
            if tensor.dtype() != DType::F32 || tensor.shape().len() < 2 || n == 0 {
                return Err(report_error(format!(
                    "{p}: report data must be float32 with a leading batch axis, got {} with shape {:?}",
                    tensor.dtype().numpy(),
                    tensor.shape()
                )));
            }
            match samples {
                Some((m, first)) if m != n => {
                    return Err(report_error(format!(
                        "{p}: {n} samples, but {first} has {m}: report inputs must hold the same samples"
                    )))
                }
                _ => samples = Some((n, p)),
            }
            data.push((p.clone(), tensor));
        }
        let (samples, first) = samples.ok_or_else(|| report_error("--report needs data"))?;
        let labels = match &args.labels {
            None => None,
            Some(p) => {
                let tensor = read(p)?;
                let integer = matches!(
                    tensor.dtype(),
                    DType::I8 | DType::I16 | DType::I32 | DType::I64
                );
                let count = tensor.shape().iter().product::<usize>();
                if !integer || count != samples {
                    return Err(report_error(format!(
                        "{p}: --labels must hold one integer class label per report sample ({samples} in {first}), got {} with shape {:?}",
                        tensor.dtype().numpy(),
                        tensor.shape()
                    )));
                }
                Some((p.clone(), tensor.to_f64()))
            }
        };
        Ok(Some(Job {
            path: path.clone(),
            data,
            samples,
            labels,
            settings: settings.clone(),
            entry: args.entry.clone(),
            started: Instant::now(),
            float_outputs: Vec::new(),
            quant_outputs: Vec::new(),
            quant_classes: Vec::new(),
            agreement: None,
            transplants: Vec::new(),
            float_top1: None,
            ablation: Vec::new(),
            rows: Vec::new(),
            integer: None,
            evaluated: false,
        }))
    }

    fn pass(&self) -> FakeQuant {
        FakeQuant {
            weights: true,
            activations: true,
            only: Vec::new(),
            skip: Vec::new(),
            weight_bits: i64::from(self.settings.weight_bits),
            per_channel: self.settings.per_channel,
            weight_symmetric: self.settings.weight_symmetric,
            mse: self.settings.weight_range == "mse",
            activation_bits: i64::from(self.settings.activation_bits),
            activation_symmetric: self.settings.activation_symmetric,
        }
    }

    /// A copy of `module` with `pass` applied to its entry function, the
    /// layers whose weights it quantizes first given the weights a weight
    /// pass chose for them; and the copy's layer names, in the order of
    /// `module`'s layers.
    fn fake_quantized<'c>(
        &self,
        context: &Context,
        module: &Module<'c>,
        pass: &FakeQuant,
    ) -> Result<(Module<'c>, Vec<String>), QuantizeError> {
        let clone = crate::quantize::clone_module(module);
        let target = entry_func(&clone, self.entry.as_deref())?;
        let before =
            fake_quant::layers(target, pass.activation_defaults()).map_err(report_error)?;
        if pass.weights && !self.transplants.is_empty() {
            for layer in &before {
                let found = self.transplants.iter().find(|(n, _)| *n == layer.name);
                if let (Some(op), Some((_, t))) = (layer.op, found) {
                    if pass.enabled(&layer.name) {
                        t.apply(op);
                    }
                }
            }
        }
        // Names are pinned (cim-quant-name-layers), so the new weight
        // constants leave them as they were.
        let after: Vec<String> = fake_quant::layers(target, pass.activation_defaults())
            .map_err(report_error)?
            .into_iter()
            .map(|l| l.name)
            .collect();
        if after.len() != before.len() || after.iter().zip(&before).any(|(a, b)| *a != b.name) {
            return Err(report_error(
                "internal error: replacing weights changed the layers",
            ));
        }
        let collector = Collector::default();
        let handler = collector.attach(context);
        let result = pass.run(unsafe { OperationRefMut::from_raw(target) });
        context.detach_diagnostic_handler(handler);
        result.map_err(|_| QuantizeError::Diagnosed(collector.take()))?;
        Ok((clone, after))
    }

    fn sample(&self, i: usize) -> Vec<Tensor> {
        self.data.iter().map(|(_, t)| t.sample(i)).collect()
    }

    fn top1(&self, firsts: &[usize]) -> Option<Top1> {
        let (_, labels) = self.labels.as_ref()?;
        Some(Top1 {
            correct: firsts
                .iter()
                .zip(labels)
                .filter(|(p, l)| **p as f64 == **l)
                .count(),
            total: firsts.len(),
        })
    }

    /// Runs `exe` (no taps) on every sample and compares its outputs with
    /// the float model's.
    fn outcome(&self, exe: &reference::Executable) -> Result<Outcome, QuantizeError> {
        let mut error = Error::default();
        let mut firsts = Vec::with_capacity(self.samples);
        for i in 0..self.samples {
            let outputs = exe.run(&self.sample(i))?;
            for (r, out) in self.float_outputs[i].iter().zip(&outputs) {
                error.add(r, &out.to_f64());
            }
            firsts.push(crate::run::argmax(&outputs[0].to_f64()));
        }
        Ok(Outcome {
            error,
            top1: self.top1(&firsts),
        })
    }

    /// The fake-quantized variant `pass` of `base`, compiled.
    fn variant(
        &self,
        context: &Context,
        base: &Module,
        pass: &FakeQuant,
    ) -> Result<reference::Executable, QuantizeError> {
        let (module, _) = self.fake_quantized(context, base, pass)?;
        Ok(reference::compile(
            context,
            &module,
            self.entry.as_deref(),
            &[],
            OPT_LEVEL,
        )?)
    }

    /// Everything but the integer model, on the calibrated float module.
    /// `module` is the calibrated float model; `rewritten`, when a weight
    /// pass ran, the model whose weights (and biases) it rewrote: a
    /// variant that quantizes a layer's weights takes that layer's from it.
    pub fn evaluate(
        &mut self,
        context: &Context,
        module: &Module,
        rewritten: Option<&Module>,
    ) -> Result<(), QuantizeError> {
        self.started = Instant::now();
        let (inputs, _) = reference::signature_of(module, self.entry.as_deref())?;
        if inputs.len() != self.data.len() {
            return Err(report_error(format!(
                "the model takes {} inputs; give one --report-input file each (got {})",
                inputs.len(),
                self.data.len()
            )));
        }
        for (index, ((path, tensor), ty)) in self.data.iter().zip(&inputs).enumerate() {
            let shape = tensor.shape();
            if shape.len() != ty.shape.len() || shape[1..] != ty.shape[1..] {
                let mut dims = vec!["N".to_string()];
                dims.extend(ty.shape.iter().skip(1).map(ToString::to_string));
                return Err(report_error(format!(
                    "{path}: report data for input {index} must be float32 [{}], got shape {shape:?}",
                    dims.join(", ")
                )));
            }
        }
        let func = entry_func(module, self.entry.as_deref())?;
        let layers =
            fake_quant::layers(func, self.pass().activation_defaults()).map_err(report_error)?;
        self.transplants = match rewritten {
            Some(rewritten) => transplant::transplants(
                &layers,
                entry_func(rewritten, self.entry.as_deref())?,
                self.pass().activation_defaults(),
            )
            .map_err(report_error)?,
            None => Vec::new(),
        };

        // The float model with a tap on every layer's activation, and the
        // fully fake-quantized one with a tap after each inserted chain.
        let (full, full_names) = self.fake_quantized(context, module, &self.pass())?;
        let full_func = entry_func(&full, self.entry.as_deref())?;
        let full_ops = fake_quant::preorder(full_func);
        let float_ops = fake_quant::preorder(func);
        let observed: Vec<(&Layer, &String)> = layers
            .iter()
            .zip(&full_names)
            .filter(|(l, _)| l.grid.is_some())
            .collect();
        let mut float_values = Vec::new();
        let mut quant_values = Vec::new();
        for (layer, full_name) in &observed {
            float_values.push(match (layer.index, layer.arg) {
                (Some(index), _) => Observed::Op(index),
                (None, Some(arg)) => Observed::Arg(arg),
                (None, None) => unreachable!("a layer is an op or an argument"),
            });
            let marker = marked(&full_ops, full_name);
            quant_values.push(Observed::Op(marker.ok_or_else(|| {
                report_error(format!(
                    "internal error: no fake-quantized value for layer '{}'",
                    layer.name
                ))
            })?));
        }
        let (float_taps, float_sources) = plan_taps(func, &float_ops, &float_values);
        let (quant_taps, quant_sources) = plan_taps(full_func, &full_ops, &quant_values);
        let float_exe = reference::compile(
            context,
            module,
            self.entry.as_deref(),
            &float_taps,
            OPT_LEVEL,
        )?;
        let full_exe = reference::compile(
            context,
            &full,
            self.entry.as_deref(),
            &quant_taps,
            OPT_LEVEL,
        )?;
        drop(full);

        let float_results = float_exe.outputs.len() - float_taps.len();
        let quant_results = full_exe.outputs.len() - quant_taps.len();
        let mut layer_errors = vec![Error::default(); observed.len()];
        let mut both = Error::default();
        let (mut float_firsts, mut quant_firsts) = (Vec::new(), Vec::new());
        self.float_outputs.clear();
        for i in 0..self.samples {
            let sample = self.sample(i);
            let f = float_exe.run(&sample)?;
            let q = full_exe.run(&sample)?;
            for (k, (layer, _)) in observed.iter().enumerate() {
                let mut reference = read_source(&float_sources[k], &sample, &f, float_results);
                if let Some((lo, hi)) = layer.fused_clamp {
                    for v in &mut reference {
                        *v = v.clamp(lo, hi);
                    }
                }
                let quantized = read_source(&quant_sources[k], &sample, &q, quant_results);
                layer_errors[k].add(&reference, &quantized);
            }
            let outputs: Vec<Vec<f64>> = f[..float_results].iter().map(Tensor::to_f64).collect();
            let quantized: Vec<Vec<f64>> = q[..quant_results].iter().map(Tensor::to_f64).collect();
            for (r, out) in outputs.iter().zip(&quantized) {
                both.add(r, out);
            }
            float_firsts.push(crate::run::argmax(&outputs[0]));
            quant_firsts.push(crate::run::argmax(&quantized[0]));
            self.float_outputs.push(outputs);
            self.quant_outputs.push(quantized);
        }
        drop(float_exe);
        drop(full_exe);
        self.float_top1 = self.top1(&float_firsts);
        self.quant_classes = quant_firsts.clone();

        // Ablations at the output.
        let weights_only = FakeQuant {
            activations: false,
            ..self.pass()
        };
        let activations_only = FakeQuant {
            weights: false,
            ..self.pass()
        };
        let w = self.outcome(&self.variant(context, module, &weights_only)?)?;
        let a = self.outcome(&self.variant(context, module, &activations_only)?)?;
        self.ablation = vec![
            ("weights_only", w),
            ("activations_only", a),
            (
                "both",
                Outcome {
                    error: both,
                    top1: self.top1(&quant_firsts),
                },
            ),
        ];

        // Sensitivity: one layer alone, every layer but one.
        let mut rows = Vec::new();
        for layer in &layers {
            let only = FakeQuant {
                only: vec![layer.name.clone()],
                ..self.pass()
            };
            let skip = FakeQuant {
                skip: vec![layer.name.clone()],
                ..self.pass()
            };
            let only = self.outcome(&self.variant(context, module, &only)?)?;
            let all_but = self.outcome(&self.variant(context, module, &skip)?)?;
            let error = observed
                .iter()
                .position(|(l, _)| l.name == layer.name)
                .map(|k| layer_errors[k]);
            rows.push(LayerRow {
                layer: layer.clone(),
                error,
                only,
                all_but,
            });
        }
        self.rows = rows;
        self.evaluated = true;
        Ok(())
    }

    /// The converted integer model: its output against the float model's
    /// (dequantized on the recorded result grids) and its top-1, with inputs
    /// quantized as `--run` quantizes them.
    pub fn evaluate_integer(
        &mut self,
        context: &Context,
        module: &Module,
    ) -> Result<(), QuantizeError> {
        if !self.evaluated {
            return Ok(());
        }
        let entry = self.entry.as_deref();
        let exe = reference::compile(context, module, entry, &[], OPT_LEVEL)?;
        let grids = crate::quantize::argument_grids(module, entry);
        let mut data = self.data.clone();
        if let Some(grids) = grids {
            for (((_, tensor), (scale, zero_point)), ty) in
                data.iter_mut().zip(grids).zip(&exe.inputs)
            {
                if let Some(q) =
                    crate::quantize::quantize_input(tensor, scale, zero_point, ty.dtype)
                {
                    *tensor = q;
                }
            }
        }
        let result_grids = crate::quantize::result_grids(module, entry);
        let mut error = Error::default();
        let mut versus = Error::default();
        let mut firsts = Vec::with_capacity(self.samples);
        for i in 0..self.samples {
            let sample: Vec<Tensor> = data.iter().map(|(_, t)| t.sample(i)).collect();
            let outputs = exe.run(&sample)?;
            for (k, out) in outputs.iter().enumerate() {
                let mut values = out.to_f64();
                if out.dtype() != DType::F32 {
                    if let Some((s, z)) = result_grids.as_ref().and_then(|g| g.get(k)) {
                        for v in &mut values {
                            *v = (*v - f64::from(*z)) * s;
                        }
                    }
                }
                if let Some(r) = self.float_outputs[i].get(k) {
                    error.add(r, &values);
                }
                if let Some(r) = self.quant_outputs[i].get(k) {
                    versus.add(r, &values);
                }
            }
            firsts.push(crate::run::argmax(&outputs[0].to_f64()));
        }
        let same = firsts
            .iter()
            .zip(&self.quant_classes)
            .filter(|(a, b)| a == b)
            .count();
        self.agreement = Some((versus, same));
        self.integer = Some(Outcome {
            error,
            top1: self.top1(&firsts),
        });
        Ok(())
    }

    /// What the tables and the JSON show.
    fn findings(&self) -> Findings<'_> {
        Findings {
            settings: &self.settings,
            inputs: self.data.iter().map(|(p, _)| p.as_str()).collect(),
            labels: self.labels.as_ref().map(|(p, _)| p.as_str()),
            samples: self.samples,
            started: self.started,
            float_top1: self.float_top1,
            ablation: &self.ablation,
            rows: &self.rows,
            integer: self.integer,
            agreement: self.agreement,
        }
    }

    /// Writes the JSON (`-`: standard output) and prints the tables.
    pub fn finish(&self) -> Result<(), QuantizeError> {
        if !self.evaluated {
            eprintln!("cimc: note: no quantization report: the model is already integer");
            return Ok(());
        }
        let findings = self.findings();
        let text = serde_json::to_string_pretty(&findings.json()).unwrap_or_default() + "\n";
        let written = if self.path == "-" {
            std::io::Write::write_all(&mut std::io::stdout(), text.as_bytes())
        } else {
            std::fs::write(&self.path, text)
        };
        written.map_err(|err| {
            report_error(format!(
                "cannot write {}: {}",
                self.path,
                crate::source::io_reason(&err)
            ))
        })?;
        eprint!("{}", findings.text());
        Ok(())
    }
}
