//! The sweep's pictures, each written as SVG and PNG (plotters): the
//! Pareto fronts of accuracy against energy and against latency, every
//! metric that matters against each axis, the energy breakdown of the
//! points on the energy front, and the layers of one point.

use std::path::{Path, PathBuf};

use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

/// A scatter of (x, y) series with a front drawn through some points.
pub struct Scatter {
    pub title: String,
    pub x_label: String,
    pub y_label: String,
    /// (name, points), one colour each.
    pub series: Vec<(String, Vec<(f64, f64)>)>,
    /// The front, in order of x.
    pub front: Vec<(f64, f64)>,
}

/// One metric per panel against the values of one axis (each point of the
/// sweep a dot at its value, the mean over the others a line).
pub struct AxisPanels {
    pub title: String,
    pub axis: String,
    pub categories: Vec<String>,
    /// (metric label, (category index, value) per point).
    pub panels: Vec<(String, Vec<(usize, f64)>)>,
}

/// Stacked bars: one bar per label, one segment per component.
pub struct Stacked {
    pub title: String,
    pub y_label: String,
    pub components: Vec<String>,
    pub bars: Vec<(String, Vec<f64>)>,
}

/// Panels of grouped bars one above the other: in each, one group per
/// label and one bar per component.
pub struct BarPanels {
    pub title: String,
    pub panels: Vec<Bars>,
}

/// One panel of [`BarPanels`].
pub struct Bars {
    pub y_label: String,
    pub components: Vec<String>,
    pub bars: Vec<(String, Vec<f64>)>,
}

/// A picture of one of the kinds.
pub enum Chart {
    Scatter(Scatter),
    Axis(AxisPanels),
    Stacked(Stacked),
    Bars(BarPanels),
}

impl Chart {
    fn size(&self) -> (u32, u32) {
        match self {
            Chart::Axis(a) => (420 * a.panels.len().max(1) as u32, 380),
            Chart::Stacked(s) => ((300 + 60 * s.bars.len() as u32).max(640), 460),
            Chart::Scatter(_) => (760, 520),
            Chart::Bars(b) => {
                let groups = b.panels.iter().map(|p| p.bars.len()).max().unwrap_or(1) as u32;
                (
                    (200 + 48 * groups).max(760),
                    60 + 300 * b.panels.len().max(1) as u32,
                )
            }
        }
    }
}

/// The font text is measured and the PNGs drawn in (SVGs name
/// `sans-serif` and leave the face to the viewer): DejaVu Sans, Debian's
/// `fonts-dejavu-core`.
pub const FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// Registers [`FONT`] for the bitmap backend once; the error says what to
/// install.
fn register_font() -> Result<(), String> {
    static REGISTERED: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            let bytes = std::fs::read(FONT).map_err(|e| {
                format!("cannot read the font {FONT} ({e}): install fonts-dejavu-core")
            })?;
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
                .map_err(|_| format!("{FONT} is not a font plotters can read"))
        })
        .clone()
}

/// Writes `chart` as `<stem>.svg` and `<stem>.png`; returns the SVG's path.
pub fn write(chart: &Chart, stem: &Path) -> Result<PathBuf, String> {
    let size = chart.size();
    let svg = stem.with_extension("svg");
    let png = stem.with_extension("png");
    register_font()?;
    draw(SVGBackend::new(&svg, size).into_drawing_area(), chart)?;
    draw(BitMapBackend::new(&png, size).into_drawing_area(), chart)?;
    Ok(svg)
}

fn err<E: std::fmt::Display>(e: E) -> String {
    format!("cannot draw: {e}")
}

fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, chart: &Chart) -> Result<(), String> {
    root.fill(&WHITE).map_err(err)?;
    match chart {
        Chart::Scatter(s) => scatter(&root, s)?,
        Chart::Axis(a) => axis(&root, a)?,
        Chart::Stacked(s) => stacked(&root, s)?,
        Chart::Bars(b) => bar_panels(&root, b)?,
    }
    root.present().map_err(err)
}

/// The range of `values` with a margin (a point range widened).
fn span(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = if hi > lo {
        (hi - lo) * 0.06
    } else {
        lo.abs().max(1.0) * 0.1
    };
    (lo - pad, hi + pad)
}

fn colour(i: usize) -> RGBColor {
    const COLOURS: [RGBColor; 10] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
        RGBColor(188, 189, 34),
        RGBColor(23, 190, 207),
    ];
    COLOURS[i % COLOURS.len()]
}

fn scatter<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, s: &Scatter) -> Result<(), String> {
    let all = || s.series.iter().flat_map(|(_, p)| p.iter().copied());
    let (x0, x1) = span(all().map(|p| p.0));
    let (y0, y1) = span(all().map(|p| p.1));
    let positive = all().all(|p| p.0 > 0.0);
    let (lo, hi) = all().fold((f64::INFINITY, 0.0f64), |(lo, hi), p| {
        (lo.min(p.0), hi.max(p.0))
    });
    // Latencies of different schedules can differ 40-fold: a log axis then.
    if positive && hi / lo > 20.0 {
        scatter_on(root, s, (lo / 1.3..hi * 1.3).log_scale(), y0..y1)
    } else {
        scatter_on(root, s, x0..x1, y0..y1)
    }
}

fn scatter_on<DB: DrawingBackend, X>(
    root: &DrawingArea<DB, Shift>,
    s: &Scatter,
    x: X,
    y: std::ops::Range<f64>,
) -> Result<(), String>
where
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
{
    let mut chart = ChartBuilder::on(root)
        .caption(&s.title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(x, y)
        .map_err(err)?;
    chart
        .configure_mesh()
        .x_desc(&s.x_label)
        .y_desc(&s.y_label)
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(err)?;
    for (i, (name, points)) in s.series.iter().enumerate() {
        let c = colour(i);
        chart
            .draw_series(
                points
                    .iter()
                    .map(move |&p| Circle::new(p, 4, c.mix(0.75).filled())),
            )
            .map_err(err)?
            .label(name.as_str())
            .legend(move |(x, y)| Circle::new((x, y), 4, c.filled()));
    }
    if !s.front.is_empty() {
        chart
            .draw_series(LineSeries::new(
                s.front.iter().copied(),
                BLACK.stroke_width(2),
            ))
            .map_err(err)?
            .label("Pareto front")
            .legend(|(x, y)| PathElement::new(vec![(x - 8, y), (x + 8, y)], BLACK.stroke_width(2)));
        chart
            .draw_series(
                s.front
                    .iter()
                    .map(|&p| Circle::new(p, 6, BLACK.stroke_width(2))),
            )
            .map_err(err)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.6))
        .border_style(BLACK)
        .draw()
        .map_err(err)
}

/// The label of the category at a tick of a categorical x axis (whole
/// numbers index `labels`; other ticks have none).
fn category(labels: &[String], x: f64) -> String {
    let i = x.round();
    if (x - i).abs() < 1e-6 && i >= 0.0 {
        labels.get(i as usize).cloned().unwrap_or_default()
    } else {
        String::new()
    }
}

fn axis<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, a: &AxisPanels) -> Result<(), String> {
    let (title, rest) = root.split_vertically(36);
    title.titled(&a.title, ("sans-serif", 20)).map_err(err)?;
    let panels = rest.split_evenly((1, a.panels.len().max(1)));
    let n = a.categories.len();
    for (area, (label, values)) in panels.iter().zip(&a.panels) {
        let (y0, y1) = span(values.iter().map(|v| v.1));
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(-0.5f64..n as f64 - 0.5, y0..y1)
            .map_err(err)?;
        let categories = |x: &f64| category(&a.categories, *x);
        chart
            .configure_mesh()
            .x_labels(n)
            .x_label_formatter(&categories)
            .x_desc(&a.axis)
            .y_desc(label)
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(err)?;
        // Dots spread a little sideways so that equal values stay visible.
        let mut count = vec![0usize; n];
        let dots: Vec<(f64, f64)> = values
            .iter()
            .map(|&(c, v)| {
                count[c] += 1;
                let jitter = ((count[c] * 37) % 11) as f64 / 10.0 - 0.5;
                (c as f64 + 0.25 * jitter, v)
            })
            .collect();
        chart
            .draw_series(
                dots.iter()
                    .map(|&p| Circle::new(p, 3, colour(0).mix(0.45).filled())),
            )
            .map_err(err)?;
        let means: Vec<(f64, f64)> = (0..n)
            .filter_map(|c| {
                let of: Vec<f64> = values.iter().filter(|v| v.0 == c).map(|v| v.1).collect();
                (!of.is_empty()).then(|| (c as f64, of.iter().sum::<f64>() / of.len() as f64))
            })
            .collect();
        chart
            .draw_series(LineSeries::new(
                means.iter().copied(),
                colour(3).stroke_width(2),
            ))
            .map_err(err)?;
        chart
            .draw_series(
                means
                    .iter()
                    .map(|&p| Cross::new(p, 5, colour(3).stroke_width(2))),
            )
            .map_err(err)?;
    }
    Ok(())
}

fn stacked<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, s: &Stacked) -> Result<(), String> {
    let n = s.bars.len();
    let top = s
        .bars
        .iter()
        .map(|(_, parts)| parts.iter().sum::<f64>())
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let mut chart = ChartBuilder::on(root)
        .caption(&s.title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(-0.5f64..n as f64 - 0.5 + 2.2, 0.0..top * 1.08)
        .map_err(err)?;
    let labels: Vec<String> = s.bars.iter().map(|(l, _)| l.clone()).collect();
    let categories = |x: &f64| category(&labels, *x);
    chart
        .configure_mesh()
        .x_labels(n + 3)
        .x_label_formatter(&categories)
        .y_desc(&s.y_label)
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(err)?;
    let parts = |i: usize| &s.bars[i].1;
    component_bars(&mut chart, &s.components, n, true, |i, k| {
        let below: f64 = parts(i)[..k].iter().sum();
        let x = i as f64;
        [(x - 0.35, below), (x + 0.35, below + parts(i)[k])]
    })
}

/// One series of bars per component, `corners(bar, component)` placing
/// each, and with `key` the components' key.
fn component_bars<'a, DB: DrawingBackend + 'a>(
    chart: &mut ChartContext<'a, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    components: &[String],
    bars: usize,
    key: bool,
    corners: impl Fn(usize, usize) -> [(f64, f64); 2],
) -> Result<(), String> {
    for (k, component) in components.iter().enumerate() {
        let c = colour(k);
        let rects: Vec<Rectangle<(f64, f64)>> = (0..bars)
            .map(|i| Rectangle::new(corners(i, k), c.filled()))
            .collect();
        chart
            .draw_series(rects)
            .map_err(err)?
            .label(component.as_str())
            .legend(move |(x, y)| Rectangle::new([(x - 6, y - 5), (x + 6, y + 5)], c.filled()));
    }
    if !key {
        return Ok(());
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(err)
}

fn bar_panels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    b: &BarPanels,
) -> Result<(), String> {
    let (title, rest) = root.split_vertically(36);
    title.titled(&b.title, ("sans-serif", 15)).map_err(err)?;
    let areas = rest.split_evenly((b.panels.len().max(1), 1));
    for (area, panel) in areas.iter().zip(&b.panels) {
        let n = panel.bars.len();
        let top = panel
            .bars
            .iter()
            .flat_map(|(_, v)| v.iter().copied())
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max)
            .max(1e-9);
        let mut chart = ChartBuilder::on(area)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(72)
            .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0.0..top * 1.15)
            .map_err(err)?;
        let labels: Vec<String> = panel.bars.iter().map(|(l, _)| l.clone()).collect();
        let categories = |x: &f64| category(&labels, *x);
        let digits = if top >= 10.0 { 0 } else { 2 };
        let ticks = |y: &f64| format!("{y:.digits$}");
        chart
            .configure_mesh()
            .x_labels(n.max(1))
            .x_label_formatter(&categories)
            .x_label_style(("sans-serif", if n > 10 { 10 } else { 13 }))
            .y_label_formatter(&ticks)
            .y_desc(&panel.y_label)
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(err)?;
        let k = panel.components.len().max(1);
        let width = 0.8 / k as f64;
        let value = |i: usize, j: usize| {
            let v = panel.bars[i].1.get(j).copied();
            v.filter(|v| v.is_finite()).unwrap_or(0.0)
        };
        // One component needs no key: the axis says what the bars are.
        component_bars(&mut chart, &panel.components, n, k > 1, |i, j| {
            let x = i as f64 - 0.4 + width * j as f64;
            [(x, 0.0), (x + width * 0.9, value(i, j))]
        })?;
    }
    Ok(())
}
