//! Real pretrained float networks, as users bring them: MediaPipe's
//! `face_detection_short_range`, `hand_landmark_lite` and
//! `selfie_segmentation` (float TFLite: fp16 weights behind casts, padding,
//! swish gates, sigmoid heads, bilinear resizes, a custom transposed
//! convolution), fetched from the `mediapipe` wheel with crops of
//! scikit-learn's two photos by `scripts/models/pretrained.py` (run by
//! `bash scripts/dev setup`). Each quantizes with the default recipe on its
//! calibration crops, and the integer model computes the same bytes on the
//! simulated chip as in reference execution; its outputs, dequantized, are
//! compared with the float model's on the evaluation crops (the SQNR is
//! printed; the benchmark `bench/pretrained.py` is where it is judged).

use cimc::reference::Tensor;
use std::path::{Path, PathBuf};

const NETWORKS: &[&str] = &[
    "face_detection_short_range",
    "hand_landmark_lite",
    "selfie_segmentation",
];

fn pretrained(file: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../target/pretrained")
        .join(file);
    assert!(
        path.exists(),
        "{} is missing: run `bash scripts/dev setup`",
        path.display()
    );
    path
}

fn cimc(args: &[&std::ffi::OsStr]) {
    crate::run_cimc(args);
}

/// The results `--run` wrote for `-o path`: path, path.1.npy, ...
fn results(path: &Path) -> Vec<Tensor> {
    let mut out = vec![Tensor::read_npy(path).expect("result 0")];
    for i in 1.. {
        let next = path.with_extension(format!("{i}.npy"));
        let Ok(t) = Tensor::read_npy(&next) else {
            break;
        };
        out.push(t);
    }
    out
}

fn sqnr_db(reference: &Tensor, test: &Tensor) -> f64 {
    let (r, t) = (reference.to_f64(), test.to_f64());
    let signal: f64 = r.iter().map(|v| v * v).sum();
    let noise: f64 = r.iter().zip(&t).map(|(a, b)| (a - b) * (a - b)).sum();
    10.0 * (signal / noise.max(f64::MIN_POSITIVE)).log10()
}

#[test]
fn pretrained_networks_quantize_and_run_bit_exactly_on_the_chip() {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pretrained");
    std::fs::create_dir_all(&dir).unwrap();
    for name in NETWORKS {
        let model = pretrained(&format!("{name}.f32.mlir"));
        let eval = pretrained(&format!("{name}.eval.npy"));
        let file = |suffix: &str| dir.join(format!("{name}.{suffix}"));
        let arg = |p: &Path| p.as_os_str().to_owned();
        let s = |v: &str| std::ffi::OsString::from(v);
        cimc(&[
            &s("quantize"),
            &arg(&model),
            &s("--calibration"),
            &arg(&pretrained(&format!("{name}.calib.npy"))),
            &s("-o"),
            &arg(&file("q.mlir")),
        ]);
        let float = file("float.npy");
        let deq = file("deq.npy");
        cimc(&[
            &arg(&model),
            &s("--run=reference"),
            &s("--input"),
            &arg(&eval),
            &s("-o"),
            &arg(&float),
        ]);
        cimc(&[
            &arg(&file("q.mlir")),
            &s("--run=reference"),
            &s("--dequantize-outputs"),
            &s("--input"),
            &arg(&eval),
            &s("-o"),
            &arg(&deq),
        ]);
        let (float, deq) = (results(&float), results(&deq));
        assert_eq!(float.len(), deq.len(), "{name}: result count");
        for (i, (f, q)) in float.iter().zip(&deq).enumerate() {
            assert_eq!(f.shape(), q.shape(), "{name} result {i}");
            let db = sqnr_db(f, q);
            eprintln!("{name} result {i}: SQNR {db:.2} dB over the evaluation crops");
            // Far below any useful model, far above garbage: a broken
            // conversion lands below 0 dB.
            assert!(db > 0.0, "{name} result {i}: SQNR {db:.2} dB");
        }
        // One crop on the chip and in reference execution: the same bytes.
        let one = file("one.npy");
        Tensor::read_npy(&eval)
            .unwrap()
            .sample(0)
            .write_npy(&one)
            .unwrap();
        let (sim, reference) = (file("sim.npy"), file("ref.npy"));
        cimc(&[
            &arg(&file("q.mlir")),
            &s("--run"),
            &s("--input"),
            &arg(&one),
            &s("-o"),
            &arg(&sim),
        ]);
        cimc(&[
            &arg(&file("q.mlir")),
            &s("--run=reference"),
            &s("--input"),
            &arg(&one),
            &s("-o"),
            &arg(&reference),
        ]);
        for (i, (a, b)) in results(&sim).iter().zip(&results(&reference)).enumerate() {
            assert_eq!(
                a.mismatches(b),
                0,
                "{name} result {i}: the chip differs from reference execution"
            );
        }
    }
}
